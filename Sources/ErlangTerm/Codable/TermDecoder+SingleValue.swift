/// Reads the decoder's whole term as one value.
struct TermSingleValueDecodingContainer: SingleValueDecodingContainer {
    let decoder: TermDecoderImpl

    var codingPath: [any CodingKey] { decoder.codingPath }

    private func get<T: TermPrimitiveCodable>(_ type: T.Type) throws -> T {
        try T.decoded(from: decoder.term, codingPath: codingPath)
    }

    func decodeNil() -> Bool { decoder.term == .nil }
    func decode(_ type: Bool.Type) throws -> Bool { try get(type) }
    func decode(_ type: String.Type) throws -> String { try get(type) }
    func decode(_ type: Double.Type) throws -> Double { try get(type) }
    func decode(_ type: Float.Type) throws -> Float { try get(type) }
    func decode(_ type: Int.Type) throws -> Int { try get(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try get(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try get(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try get(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try get(type) }
    func decode(_ type: Int128.Type) throws -> Int128 { try get(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try get(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try get(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try get(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try get(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try get(type) }
    func decode(_ type: UInt128.Type) throws -> UInt128 { try get(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try decoder.context.decode(type, from: decoder.term, at: codingPath)
    }
}
