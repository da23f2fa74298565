/// Writes the properties of a struct or class as a map with atom keys.
///
/// A `nil` optional is written as `key => nil` (every `encodeIfPresent` writes the key), which is
/// what Elixir code that matches on the key expects.
struct TermKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let context: TermEncodingContext
    let builder: TermMapBuilder
    let codingPath: [any CodingKey]

    private func store(_ value: TermEncodingSlot, forKey key: Key) throws {
        builder.set(value, for: try context.atomKey(key, codingPath: codingPath))
    }

    private func put<T: TermPrimitiveCodable>(_ value: T, forKey key: Key) throws {
        try store(.term(value.encodedTerm(codingPath: codingPath + [key])), forKey: key)
    }

    private func putIfPresent<T: TermPrimitiveCodable>(_ value: T?, forKey key: Key) throws {
        if let value { try put(value, forKey: key) } else { try store(.term(.nil), forKey: key) }
    }

    mutating func encodeNil(forKey key: Key) throws { try store(.term(.nil), forKey: key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try put(value, forKey: key) }
    mutating func encode(_ value: String, forKey key: Key) throws { try put(value, forKey: key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try put(value, forKey: key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try put(value, forKey: key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try put(value, forKey: key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try put(value, forKey: key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try put(value, forKey: key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try put(value, forKey: key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try put(value, forKey: key) }
    mutating func encode(_ value: Int128, forKey key: Key) throws { try put(value, forKey: key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try put(value, forKey: key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try put(value, forKey: key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try put(value, forKey: key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try put(value, forKey: key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try put(value, forKey: key) }
    mutating func encode(_ value: UInt128, forKey key: Key) throws { try put(value, forKey: key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try store(.term(context.encode(value, at: codingPath + [key])), forKey: key)
    }

    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
        try putIfPresent(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
        try putIfPresent(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws {
        try putIfPresent(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws {
        try putIfPresent(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws {
        try putIfPresent(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws {
        try putIfPresent(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws {
        try putIfPresent(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws {
        try putIfPresent(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws {
        try putIfPresent(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: Int128?, forKey key: Key) throws {
        try putIfPresent(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws {
        try putIfPresent(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws {
        try putIfPresent(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws {
        try putIfPresent(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws {
        try putIfPresent(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws {
        try putIfPresent(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: UInt128?, forKey key: Key) throws {
        try putIfPresent(value, forKey: key)
    }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let keyTerm = context.atomKeyDeferringError(key, codingPath: codingPath)
        let nested: TermMapBuilder
        if case .map(let existing) = builder.value(for: keyTerm) {
            nested = existing
        } else {
            nested = TermMapBuilder()
            builder.set(.map(nested), for: keyTerm)
        }
        return KeyedEncodingContainer(
            TermKeyedEncodingContainer<NestedKey>(
                context: context, builder: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let keyTerm = context.atomKeyDeferringError(key, codingPath: codingPath)
        let nested: TermListBuilder
        if case .list(let existing) = builder.value(for: keyTerm) {
            nested = existing
        } else {
            nested = TermListBuilder()
            builder.set(.list(nested), for: keyTerm)
        }
        return TermUnkeyedEncodingContainer(
            context: context, builder: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        makeSuperEncoder(forKey: TermCodingKey.superKey)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        makeSuperEncoder(forKey: key)
    }

    private func makeSuperEncoder(forKey key: any CodingKey) -> any Encoder {
        let keyTerm = context.atomKeyDeferringError(key, codingPath: codingPath)
        let encoder = TermEncoderImpl(context: context, codingPath: codingPath + [key])
        builder.set(.encoder(encoder), for: keyTerm)
        return encoder
    }
}
