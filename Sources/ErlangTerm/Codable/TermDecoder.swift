/// Decodes `Decodable` Swift values from Erlang terms, accepting the shapes Elixir code sends.
///
/// The mapping is the one ``TermEncoder`` writes, read leniently:
///
/// - a struct or class is read from a map whose keys may be atoms **or** binaries
///   (`%{name: "Ada"}` and `%{"name" => "Ada"}` both work); keys the type does not know, such as
///   an Elixir struct's `__struct__`, are ignored;
/// - a missing key or the atom `nil` decodes as `nil` for an optional property;
/// - `String` accepts a UTF-8 binary, a charlist or an atom other than `nil`;
/// - `Double` and `Float` accept integers as well as floats;
/// - arrays accept proper lists and tuples; `[UInt8]` and `Data` accept binaries and byte lists.
///
/// See <doc:CodableMapping> for the full mapping.
///
/// ```swift
/// struct User: Codable { var name: String; var age: Int? }
/// let user = try TermDecoder().decode(User.self, from: term)
/// ```
public struct TermDecoder: Sendable {
    /// Values passed to every `init(from:)` as `decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    /// Creates a decoder with the default options.
    public init() {}

    /// Decodes a value of type `type` from `term`.
    ///
    /// - Throws: ``TermCodingError`` naming what was expected, what was found and where; errors
    ///   thrown by the type's `init(from:)` (such as `DecodingError` from synthesized enum code).
    public func decode<T: Decodable>(_ type: T.Type = T.self, from term: Term) throws -> T {
        try TermDecodingContext(userInfo: userInfo).decode(type, from: term, at: [])
    }
}
