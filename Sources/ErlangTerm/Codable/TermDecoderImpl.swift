/// The `Decoder` that ``TermDecoder`` hands to `init(from:)`: one term and where it sits.
struct TermDecoderImpl: Decoder {
    let context: TermDecodingContext
    let term: Term
    let codingPath: [any CodingKey]

    var userInfo: [CodingUserInfoKey: Any] { context.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .map(let map) = term else {
            throw TermCodingError.mismatch(
                "a map (keyed by \(Key.self))", found: term, codingPath: codingPath)
        }
        return KeyedDecodingContainer(
            TermKeyedDecodingContainer<Key>(context: context, map: map, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch term {
        case .list(let elements), .tuple(let elements):
            return TermUnkeyedDecodingContainer(
                context: context, elements: elements, codingPath: codingPath)
        default:
            throw TermCodingError.mismatch(
                "a proper list or a tuple", found: term, codingPath: codingPath)
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        TermSingleValueDecodingContainer(decoder: self)
    }
}
