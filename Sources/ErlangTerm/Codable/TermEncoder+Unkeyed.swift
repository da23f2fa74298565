/// Appends values to a proper list.
struct TermUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let context: TermEncodingContext
    let builder: TermListBuilder
    let codingPath: [any CodingKey]

    var count: Int { builder.items.count }

    /// The path of the next element.
    private var nextPath: [any CodingKey] { codingPath + [TermCodingKey(index: count)] }

    private func put<T: TermPrimitiveCodable>(_ value: T) throws {
        builder.items.append(.term(try value.encodedTerm(codingPath: nextPath)))
    }

    mutating func encodeNil() throws { builder.items.append(.term(.nil)) }
    mutating func encode(_ value: Bool) throws { try put(value) }
    mutating func encode(_ value: String) throws { try put(value) }
    mutating func encode(_ value: Double) throws { try put(value) }
    mutating func encode(_ value: Float) throws { try put(value) }
    mutating func encode(_ value: Int) throws { try put(value) }
    mutating func encode(_ value: Int8) throws { try put(value) }
    mutating func encode(_ value: Int16) throws { try put(value) }
    mutating func encode(_ value: Int32) throws { try put(value) }
    mutating func encode(_ value: Int64) throws { try put(value) }
    mutating func encode(_ value: Int128) throws { try put(value) }
    mutating func encode(_ value: UInt) throws { try put(value) }
    mutating func encode(_ value: UInt8) throws { try put(value) }
    mutating func encode(_ value: UInt16) throws { try put(value) }
    mutating func encode(_ value: UInt32) throws { try put(value) }
    mutating func encode(_ value: UInt64) throws { try put(value) }
    mutating func encode(_ value: UInt128) throws { try put(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        builder.items.append(.term(try context.encode(value, at: nextPath)))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let path = nextPath
        let nested = TermMapBuilder()
        builder.items.append(.map(nested))
        return KeyedEncodingContainer(
            TermKeyedEncodingContainer<NestedKey>(
                context: context, builder: nested, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = nextPath
        let nested = TermListBuilder()
        builder.items.append(.list(nested))
        return TermUnkeyedEncodingContainer(context: context, builder: nested, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = TermEncoderImpl(context: context, codingPath: nextPath)
        builder.items.append(.encoder(encoder))
        return encoder
    }
}
