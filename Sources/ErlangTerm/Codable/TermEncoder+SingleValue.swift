/// Writes one value as the encoder's whole term.
struct TermSingleValueEncodingContainer: SingleValueEncodingContainer {
    let encoder: TermEncoderImpl

    var codingPath: [any CodingKey] { encoder.codingPath }

    private func put<T: TermPrimitiveCodable>(_ value: T) throws {
        encoder.store(try value.encodedTerm(codingPath: codingPath))
    }

    mutating func encodeNil() throws { encoder.store(.nil) }
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
        encoder.store(try encoder.context.encode(value, at: codingPath))
    }
}
