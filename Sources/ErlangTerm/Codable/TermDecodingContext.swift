/// The state shared by every decoder and container of one ``TermDecoder/decode(_:from:)`` call.
final class TermDecodingContext {
    let userInfo: [CodingUserInfoKey: Any]

    init(userInfo: [CodingUserInfoKey: any Sendable]) {
        self.userInfo = userInfo
    }

    /// Decodes a value: directly for primitives and dictionaries, through a nested decoder
    /// otherwise.
    func decode<T: Decodable>(_ type: T.Type, from term: Term, at codingPath: [any CodingKey])
        throws -> T
    {
        if let primitive = T.self as? any TermPrimitiveCodable.Type {
            return try primitive.decoded(from: term, codingPath: codingPath) as! T
        }
        if let dictionary = T.self as? any TermMapDecodable.Type {
            return try dictionary.decodedMap(from: term, context: self, codingPath: codingPath)
                as! T
        }
        return try T(from: TermDecoderImpl(context: self, term: term, codingPath: codingPath))
    }

    /// The atom named `name` if it exists; looking a key up never creates an atom.
    static func existingAtom(named name: String) -> Atom? {
        var name = name
        return name.withUTF8 { AtomTable.shared.existing(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// The atom named by a binary from input, counted against the atom table's input cap.
    static func inputAtom(from term: Term, codingPath: @autoclosure () -> [any CodingKey]) throws
        -> Atom
    {
        guard let name = term.stringValue else {
            throw TermCodingError.dataCorrupted(
                expected: "an atom or a UTF-8 binary", found: term,
                reason: "the binary is not valid UTF-8", codingPath: codingPath())
        }
        guard name.unicodeScalars.count <= Atom.maximumCharacters else {
            throw TermCodingError.dataCorrupted(
                expected: "an atom or a UTF-8 binary", found: term,
                reason: "an atom has at most \(Atom.maximumCharacters) characters",
                codingPath: codingPath())
        }
        var text = name
        let atom = text.withUTF8 {
            AtomTable.shared.intern(utf8: UnsafeRawBufferPointer($0), fromInput: true)
        }
        guard let atom else {
            throw TermCodingError.dataCorrupted(
                expected: "an atom or a UTF-8 binary", found: term,
                reason: "the atom table's input limit is reached", codingPath: codingPath())
        }
        return atom
    }
}
