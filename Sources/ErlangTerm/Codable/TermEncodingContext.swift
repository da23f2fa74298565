/// The state shared by every encoder and container of one ``TermEncoder/encode(_:)`` call: the
/// options, and the first error found where the `Encoder` API cannot throw.
final class TermEncodingContext {
    let sortsMapKeys: Bool
    let userInfo: [CodingUserInfoKey: Any]
    private(set) var deferredError: (any Error)?

    init(sortsMapKeys: Bool, userInfo: [CodingUserInfoKey: any Sendable]) {
        self.sortsMapKeys = sortsMapKeys
        self.userInfo = userInfo
    }

    /// Encodes a value to a finished term: directly for primitives and dictionaries, through a
    /// nested encoder otherwise. A value that encodes nothing becomes an empty map.
    func encode<T: Encodable>(_ value: T, at codingPath: [any CodingKey]) throws -> Term {
        if let primitive = value as? any TermPrimitiveCodable {
            return try primitive.encodedTerm(codingPath: codingPath)
        }
        if let dictionary = value as? any TermMapEncodable {
            return try dictionary.encodedMap(context: self, codingPath: codingPath)
        }
        let encoder = TermEncoderImpl(context: self, codingPath: codingPath)
        try value.encode(to: encoder)
        return finish(encoder.content ?? .map(TermMapBuilder()))
    }

    /// Encodes the top-level value; unlike a nested one, it must encode something.
    func encodeTopLevel<T: Encodable>(_ value: T) throws -> Term {
        if value is any TermPrimitiveCodable || value is any TermMapEncodable {
            return try encode(value, at: [])
        }
        let encoder = TermEncoderImpl(context: self, codingPath: [])
        try value.encode(to: encoder)
        guard let content = encoder.content else {
            throw TermCodingError.invalidValue(
                value: "\(T.self)", reason: "it encoded no value", codingPath: [])
        }
        return finish(content)
    }

    /// Turns a slot whose containers are complete into a term.
    func finish(_ slot: TermEncodingSlot) -> Term {
        switch slot {
        case .term(let term):
            return term
        case .list(let builder):
            return .list(builder.items.map(finish))
        case .map(let builder):
            return map(uniquePairs: builder.pairs.map { (key: $0.key, value: finish($0.value)) })
        case .encoder(let encoder):
            return finish(encoder.content ?? .map(TermMapBuilder()))
        }
    }

    /// A map from pairs whose keys are distinct, in the configured key order.
    func map(uniquePairs pairs: [(key: Term, value: Term)]) -> Term {
        guard sortsMapKeys, pairs.count > 1 else { return .map(TermMap(uniquePairs: pairs)) }
        return .map(TermMap(uniquePairs: pairs.sorted { Term.compare($0.key, $1.key) < 0 }))
    }

    /// The atom key for a keyed container's coding key.
    func atomKey(_ key: any CodingKey, codingPath: [any CodingKey]) throws -> Term {
        .atom(try Self.atom(named: key.stringValue, codingPath: codingPath + [key]))
    }

    /// The atom key for a coding key where the `Encoder` API cannot throw (nested containers,
    /// super encoders): on failure the error is kept for ``TermEncoder/encode(_:)`` to throw, and
    /// a binary key stands in meanwhile.
    func atomKeyDeferringError(_ key: any CodingKey, codingPath: [any CodingKey]) -> Term {
        do {
            return try atomKey(key, codingPath: codingPath)
        } catch {
            if deferredError == nil { deferredError = error }
            return .string(key.stringValue)
        }
    }

    /// An atom made by the program (not counted against the atom table's input cap).
    static func atom(named name: String, codingPath: @autoclosure () -> [any CodingKey]) throws
        -> Atom
    {
        guard name.unicodeScalars.count <= Atom.maximumCharacters else {
            throw TermCodingError.invalidValue(
                value: "\"\(name.prefix(40))...\"",
                reason: "an atom has at most \(Atom.maximumCharacters) characters",
                codingPath: codingPath())
        }
        return Atom(name)
    }
}
