/// A dictionary, which the term coders map to an Erlang map whose keys are encoded as terms
/// (a `String` key becomes a binary, an `Int` key an integer), instead of the keyed container
/// Swift would use (which would make atom keys).
protocol TermMapEncodable {
    func encodedMap(context: TermEncodingContext, codingPath: [any CodingKey]) throws -> Term
}

/// A dictionary decoded from an Erlang map whose keys decode as the dictionary's key type.
protocol TermMapDecodable {
    static func decodedMap(
        from term: Term, context: TermDecodingContext, codingPath: [any CodingKey]
    ) throws -> Self
}

extension Dictionary: TermMapEncodable where Key: Encodable, Value: Encodable {
    func encodedMap(context: TermEncodingContext, codingPath: [any CodingKey]) throws -> Term {
        var pairs: [(key: Term, value: Term)] = []
        pairs.reserveCapacity(count)
        var seen: Set<Term> = []
        for (key, value) in self {
            let path = codingPath + [TermCodingKey(dictionaryKey: key)]
            let keyTerm = try context.encode(key, at: path)
            guard seen.insert(keyTerm).inserted else {
                throw TermCodingError.invalidValue(
                    value: "\(Self.self)", reason: "two keys encode to the same term \(keyTerm)",
                    codingPath: path)
            }
            pairs.append((keyTerm, try context.encode(value, at: path)))
        }
        return context.map(uniquePairs: pairs)
    }
}

extension Dictionary: TermMapDecodable where Key: Decodable, Value: Decodable {
    static func decodedMap(
        from term: Term, context: TermDecodingContext, codingPath: [any CodingKey]
    ) throws -> [Key: Value] {
        guard case .map(let map) = term else {
            throw TermCodingError.mismatch(
                "a map (\(Self.self))", found: term, codingPath: codingPath)
        }
        var result: [Key: Value] = [:]
        result.reserveCapacity(map.count)
        for (keyTerm, valueTerm) in map {
            let path = codingPath + [TermCodingKey(mapKey: keyTerm)]
            let key = try context.decode(Key.self, from: keyTerm, at: path)
            guard result.index(forKey: key) == nil else {
                throw TermCodingError.dataCorrupted(
                    expected: "map keys that are distinct as \(Key.self)", found: keyTerm,
                    reason: "another key of the map decodes to the same \(Key.self)",
                    codingPath: path)
            }
            result[key] = try context.decode(Value.self, from: valueTerm, at: path)
        }
        return result
    }
}
