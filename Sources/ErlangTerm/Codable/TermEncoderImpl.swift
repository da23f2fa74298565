/// The `Encoder` that ``TermEncoder`` hands to `encode(to:)`: it records which container the value
/// asked for, and the term it holds once the value is encoded.
final class TermEncoderImpl: Encoder {
    let context: TermEncodingContext
    let codingPath: [any CodingKey]
    /// What the value encoded, or `nil` if it has encoded nothing yet.
    var content: TermEncodingSlot?

    var userInfo: [CodingUserInfoKey: Any] { context.userInfo }

    init(context: TermEncodingContext, codingPath: [any CodingKey]) {
        self.context = context
        self.codingPath = codingPath
    }

    /// Stores a finished term as this encoder's value.
    func store(_ term: Term) {
        content = .term(term)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let builder: TermMapBuilder
        if case .map(let existing) = content {
            builder = existing
        } else {
            builder = TermMapBuilder()
            content = .map(builder)
        }
        return KeyedEncodingContainer(
            TermKeyedEncodingContainer<Key>(
                context: context, builder: builder, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let builder: TermListBuilder
        if case .list(let existing) = content {
            builder = existing
        } else {
            builder = TermListBuilder()
            content = .list(builder)
        }
        return TermUnkeyedEncodingContainer(
            context: context, builder: builder, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        TermSingleValueEncodingContainer(encoder: self)
    }
}
