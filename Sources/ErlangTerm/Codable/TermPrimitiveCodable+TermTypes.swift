// The term types are their own terms: TermEncoder writes them, and TermDecoder takes them back,
// without a nested encoder or decoder.

extension Term: TermPrimitiveCodable {
    func encodedTerm(codingPath: @autoclosure () -> [any CodingKey]) throws -> Term { self }

    static func decoded(from term: Term, codingPath: @autoclosure () -> [any CodingKey]) throws
        -> Term
    {
        term
    }
}

extension TermMap: TermPrimitiveCodable {
    func encodedTerm(codingPath: @autoclosure () -> [any CodingKey]) throws -> Term { .map(self) }

    static func decoded(from term: Term, codingPath: @autoclosure () -> [any CodingKey]) throws
        -> TermMap
    {
        guard case .map(let map) = term else {
            throw TermCodingError.mismatch("a map", found: term, codingPath: codingPath())
        }
        return map
    }
}

extension Atom: TermPrimitiveCodable {
    func encodedTerm(codingPath: @autoclosure () -> [any CodingKey]) throws -> Term { .atom(self) }

    /// Accepts an atom, or a UTF-8 binary naming one (created under the input cap).
    static func decoded(from term: Term, codingPath: @autoclosure () -> [any CodingKey]) throws
        -> Atom
    {
        switch term {
        case .atom(let atom): return atom
        case .binary: return try TermDecodingContext.inputAtom(from: term, codingPath: codingPath())
        default:
            throw TermCodingError.typeMismatch(
                expected: "an atom", found: term, codingPath: codingPath())
        }
    }
}

extension BigInteger: TermPrimitiveCodable {
    func encodedTerm(codingPath: @autoclosure () -> [any CodingKey]) throws -> Term {
        .integer(self)
    }

    static func decoded(from term: Term, codingPath: @autoclosure () -> [any CodingKey]) throws
        -> BigInteger
    {
        switch term {
        case .integer(let int): return BigInteger(int)
        case .bigInteger(let big): return big
        default:
            throw TermCodingError.mismatch("an integer", found: term, codingPath: codingPath())
        }
    }
}

extension PID: TermPrimitiveCodable {
    func encodedTerm(codingPath: @autoclosure () -> [any CodingKey]) throws -> Term { .pid(self) }

    static func decoded(from term: Term, codingPath: @autoclosure () -> [any CodingKey]) throws
        -> PID
    {
        guard case .pid(let pid) = term else {
            throw TermCodingError.mismatch("a pid", found: term, codingPath: codingPath())
        }
        return pid
    }
}

extension ErlangPort: TermPrimitiveCodable {
    func encodedTerm(codingPath: @autoclosure () -> [any CodingKey]) throws -> Term { .port(self) }

    static func decoded(from term: Term, codingPath: @autoclosure () -> [any CodingKey]) throws
        -> ErlangPort
    {
        guard case .port(let port) = term else {
            throw TermCodingError.mismatch("a port", found: term, codingPath: codingPath())
        }
        return port
    }
}

extension Reference: TermPrimitiveCodable {
    func encodedTerm(codingPath: @autoclosure () -> [any CodingKey]) throws -> Term {
        .reference(self)
    }

    static func decoded(from term: Term, codingPath: @autoclosure () -> [any CodingKey]) throws
        -> Reference
    {
        guard case .reference(let reference) = term else {
            throw TermCodingError.mismatch("a reference", found: term, codingPath: codingPath())
        }
        return reference
    }
}
