/// Reads the properties of a struct or class from a map.
///
/// A key is looked up as an atom first, then as a UTF-8 binary (Elixir maps with string keys, or
/// JSON-shaped data), then as an integer when the coding key has an integer value. Keys the type
/// does not ask for, such as an Elixir struct's `__struct__`, are ignored.
struct TermKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let context: TermDecodingContext
    let map: TermMap
    let codingPath: [any CodingKey]

    /// The keys of the map that `Key` can represent, each name once.
    var allKeys: [Key] {
        var names: Set<String> = []
        var keys: [Key] = []
        for (term, _) in map {
            let key: Key?
            switch term {
            case .atom(let atom): key = Key(stringValue: atom.name)
            case .binary: key = term.stringValue.flatMap { Key(stringValue: $0) }
            case .integer(let int): key = Key(intValue: int) ?? Key(stringValue: String(int))
            default: key = nil
            }
            if let key, names.insert(key.stringValue).inserted { keys.append(key) }
        }
        return keys
    }

    /// The value stored for `key`, under any of its accepted key forms.
    private func value(for key: any CodingKey) -> Term? {
        let name = key.stringValue
        if let atom = TermDecodingContext.existingAtom(named: name), let value = map[.atom(atom)] {
            return value
        }
        if let value = map[.binary(Array(name.utf8))] { return value }
        if let int = key.intValue { return map[.integer(int)] }
        return nil
    }

    private func require(_ key: Key) throws -> Term {
        guard let value = value(for: key) else {
            throw TermCodingError.keyNotFound(key: key, found: .map(map), codingPath: codingPath)
        }
        return value
    }

    private func get<T: TermPrimitiveCodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try T.decoded(from: require(key), codingPath: codingPath + [key])
    }

    func contains(_ key: Key) -> Bool { value(for: key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { try require(key) == .nil }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try get(type, forKey: key)
    }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try get(type, forKey: key)
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try get(type, forKey: key)
    }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        try get(type, forKey: key)
    }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
        try get(type, forKey: key)
    }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 {
        try get(type, forKey: key)
    }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
        try get(type, forKey: key)
    }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
        try get(type, forKey: key)
    }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
        try get(type, forKey: key)
    }
    func decode(_ type: Int128.Type, forKey key: Key) throws -> Int128 {
        try get(type, forKey: key)
    }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt {
        try get(type, forKey: key)
    }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
        try get(type, forKey: key)
    }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
        try get(type, forKey: key)
    }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
        try get(type, forKey: key)
    }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
        try get(type, forKey: key)
    }
    func decode(_ type: UInt128.Type, forKey key: Key) throws -> UInt128 {
        try get(type, forKey: key)
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try context.decode(type, from: require(key), at: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try nestedDecoder(term: require(key), key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try nestedDecoder(term: require(key), key: key).unkeyedContainer()
    }

    /// The decoder for the value of the key `super`, or for `nil` when there is none.
    func superDecoder() throws -> any Decoder {
        nestedDecoder(term: value(for: TermCodingKey.superKey) ?? .nil, key: TermCodingKey.superKey)
    }

    /// The decoder for the value of `key`, or for `nil` when there is none.
    func superDecoder(forKey key: Key) throws -> any Decoder {
        nestedDecoder(term: value(for: key) ?? .nil, key: key)
    }

    private func nestedDecoder(term: Term, key: any CodingKey) -> TermDecoderImpl {
        TermDecoderImpl(context: context, term: term, codingPath: codingPath + [key])
    }
}
