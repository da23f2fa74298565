/// Reads the elements of a proper list (or a tuple) in order.
struct TermUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let context: TermDecodingContext
    let elements: [Term]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(context: TermDecodingContext, elements: [Term], codingPath: [any CodingKey]) {
        self.context = context
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private var currentPath: [any CodingKey] { codingPath + [TermCodingKey(index: currentIndex)] }

    /// The current element; throws when the list has no more.
    private func current(expecting expected: @autoclosure () -> String) throws -> Term {
        guard !isAtEnd else {
            throw TermCodingError.valueNotFound(
                expected: expected(), found: nil, codingPath: currentPath)
        }
        return elements[currentIndex]
    }

    private mutating func get<T: TermPrimitiveCodable>(_ type: T.Type) throws -> T {
        let value = try T.decoded(from: current(expecting: "\(T.self)"), codingPath: currentPath)
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard try current(expecting: "a value or nil") == .nil else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try get(type) }
    mutating func decode(_ type: String.Type) throws -> String { try get(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try get(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try get(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try get(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try get(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try get(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try get(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try get(type) }
    mutating func decode(_ type: Int128.Type) throws -> Int128 { try get(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try get(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try get(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try get(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try get(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try get(type) }
    mutating func decode(_ type: UInt128.Type) throws -> UInt128 { try get(type) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let value = try context.decode(
            type, from: current(expecting: "\(T.self)"), at: currentPath)
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let container = try nestedDecoder(expecting: "a map").container(keyedBy: type)
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try nestedDecoder(expecting: "a list").unkeyedContainer()
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let decoder = try nestedDecoder(expecting: "a value")
        currentIndex += 1
        return decoder
    }

    private func nestedDecoder(expecting expected: String) throws -> TermDecoderImpl {
        TermDecoderImpl(
            context: context, term: try current(expecting: expected), codingPath: currentPath)
    }
}
