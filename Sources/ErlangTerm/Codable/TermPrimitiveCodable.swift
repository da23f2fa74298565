/// A Swift type with one fixed term form, which the term coders convert directly instead of going
/// through a nested encoder or decoder.
///
/// The coders look for this conformance first (`value as? any TermPrimitiveCodable`), so scalars,
/// `[UInt8]`, `Data` and Colony's own term types cost no container. `codingPath` is only evaluated
/// when an error is thrown.
protocol TermPrimitiveCodable {
    /// The term for this value.
    func encodedTerm(codingPath: @autoclosure () -> [any CodingKey]) throws -> Term
    /// The value held by `term`.
    static func decoded(from term: Term, codingPath: @autoclosure () -> [any CodingKey]) throws
        -> Self
}

// MARK: - Integers

extension TermPrimitiveCodable where Self: FixedWidthInteger {
    /// `.integer` when the value fits in `Int`, `.bigInteger` otherwise.
    func encodedTerm(codingPath: @autoclosure () -> [any CodingKey]) throws -> Term {
        if let small = Int(exactly: self) { return .integer(small) }
        return .bigInteger(BigInteger(self))
    }

    /// Accepts `.integer` and `.bigInteger` that fit in `Self`.
    static func decoded(from term: Term, codingPath: @autoclosure () -> [any CodingKey]) throws
        -> Self
    {
        let value: Self?
        switch term {
        case .integer(let int): value = Self(exactly: int)
        case .bigInteger(let big): value = big.exactly(Self.self)
        default:
            throw TermCodingError.mismatch(
                "an integer (\(Self.self))", found: term, codingPath: codingPath())
        }
        guard let value else {
            throw TermCodingError.numberOutOfRange(
                expected: "an integer that fits in \(Self.self)", found: term,
                codingPath: codingPath())
        }
        return value
    }
}

extension Int: TermPrimitiveCodable {}
extension Int8: TermPrimitiveCodable {}
extension Int16: TermPrimitiveCodable {}
extension Int32: TermPrimitiveCodable {}
extension Int64: TermPrimitiveCodable {}
extension Int128: TermPrimitiveCodable {}
extension UInt: TermPrimitiveCodable {}
extension UInt8: TermPrimitiveCodable {}
extension UInt16: TermPrimitiveCodable {}
extension UInt32: TermPrimitiveCodable {}
extension UInt64: TermPrimitiveCodable {}
extension UInt128: TermPrimitiveCodable {}

// MARK: - Floats

extension Double: TermPrimitiveCodable {
    /// A float; Erlang has no NaN or infinity, so those throw.
    func encodedTerm(codingPath: @autoclosure () -> [any CodingKey]) throws -> Term {
        guard isFinite else {
            throw TermCodingError.invalidValue(
                value: "\(self)", reason: "Erlang floats are finite", codingPath: codingPath())
        }
        return .float(self)
    }

    /// Accepts a float or an integer (Erlang code often sends `1` for `1.0`).
    static func decoded(from term: Term, codingPath: @autoclosure () -> [any CodingKey]) throws
        -> Double
    {
        switch term {
        case .float(let value): return value
        case .integer(let int): return Double(int)
        case .bigInteger(let big):
            var value = 0.0
            for byte in big.magnitude.reversed() { value = value * 256 + Double(byte) }
            guard value.isFinite else {
                throw TermCodingError.numberOutOfRange(
                    expected: "a number that fits in Double", found: term, codingPath: codingPath())
            }
            return big.isNegative ? -value : value
        default:
            throw TermCodingError.mismatch(
                "a float or an integer (Double)", found: term, codingPath: codingPath())
        }
    }
}

extension Float: TermPrimitiveCodable {
    func encodedTerm(codingPath: @autoclosure () -> [any CodingKey]) throws -> Term {
        try Double(self).encodedTerm(codingPath: codingPath())
    }

    static func decoded(from term: Term, codingPath: @autoclosure () -> [any CodingKey]) throws
        -> Float
    {
        switch term {
        case .float, .integer, .bigInteger:
            let value = Float(try Double.decoded(from: term, codingPath: codingPath()))
            guard value.isFinite else {
                throw TermCodingError.numberOutOfRange(
                    expected: "a number that fits in Float", found: term, codingPath: codingPath())
            }
            return value
        default:
            throw TermCodingError.mismatch(
                "a float or an integer (Float)", found: term, codingPath: codingPath())
        }
    }
}

// MARK: - Bool and String

extension Bool: TermPrimitiveCodable {
    /// The atom `true` or `false`.
    func encodedTerm(codingPath: @autoclosure () -> [any CodingKey]) throws -> Term {
        self ? .true : .false
    }

    static func decoded(from term: Term, codingPath: @autoclosure () -> [any CodingKey]) throws
        -> Bool
    {
        guard let value = term.boolValue else {
            throw TermCodingError.mismatch(
                "the atom true or false (Bool)", found: term, codingPath: codingPath())
        }
        return value
    }
}

extension String: TermPrimitiveCodable {
    /// A UTF-8 binary, as Elixir strings are.
    func encodedTerm(codingPath: @autoclosure () -> [any CodingKey]) throws -> Term {
        .binary(Array(utf8))
    }

    /// Accepts a UTF-8 binary, a charlist (a proper list of code points, `[]` being `""`) or an
    /// atom other than `nil` (which means "no value").
    static func decoded(from term: Term, codingPath: @autoclosure () -> [any CodingKey]) throws
        -> String
    {
        let expected = "a string (a UTF-8 binary, a charlist or an atom)"
        switch term {
        case .binary(let bytes):
            guard let string = String(validating: bytes, as: UTF8.self) else {
                throw TermCodingError.dataCorrupted(
                    expected: expected, found: term, reason: "the binary is not valid UTF-8",
                    codingPath: codingPath())
            }
            return string
        case .atom(let atom) where atom != .nil:
            return atom.name
        case .list(let elements):
            var scalars = String.UnicodeScalarView()
            for element in elements {
                guard case .integer(let int) = element, let code = UInt32(exactly: int),
                    let scalar = Unicode.Scalar(code)
                else {
                    throw TermCodingError.typeMismatch(
                        expected: expected, found: term, codingPath: codingPath())
                }
                scalars.append(scalar)
            }
            return String(scalars)
        default:
            throw TermCodingError.mismatch(expected, found: term, codingPath: codingPath())
        }
    }
}

// MARK: - Bytes

extension Array: TermPrimitiveCodable where Element == UInt8 {
    /// A binary holding the bytes.
    func encodedTerm(codingPath: @autoclosure () -> [any CodingKey]) throws -> Term {
        .binary(self)
    }

    /// Accepts a binary or a list of integers from 0 to 255.
    static func decoded(from term: Term, codingPath: @autoclosure () -> [any CodingKey]) throws
        -> [UInt8]
    {
        switch term {
        case .binary(let bytes):
            return bytes
        case .list(let elements):
            var bytes: [UInt8] = []
            bytes.reserveCapacity(elements.count)
            for element in elements {
                guard case .integer(let int) = element, let byte = UInt8(exactly: int) else {
                    throw TermCodingError.typeMismatch(
                        expected: "a binary or a list of bytes", found: term,
                        codingPath: codingPath())
                }
                bytes.append(byte)
            }
            return bytes
        default:
            throw TermCodingError.mismatch(
                "a binary or a list of bytes", found: term, codingPath: codingPath())
        }
    }
}
