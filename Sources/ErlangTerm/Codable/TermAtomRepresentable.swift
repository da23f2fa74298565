/// A string-backed enum that is encoded as an atom, the Erlang way to write a tag such as
/// `:active` or `pending`.
///
/// Adopt it on an enum whose raw values are the atom names; the protocol supplies `encode(to:)`
/// and `init(from:)`:
///
/// ```swift
/// enum Status: String, TermAtomRepresentable {
///     case active, suspended
///     case deleted = "soft_deleted"
/// }
/// try TermEncoder().encode(Status.deleted)  // the atom soft_deleted
/// ```
///
/// With ``TermEncoder`` the value is the atom named by `rawValue`. ``TermDecoder`` accepts that
/// atom, or a UTF-8 binary holding the name (so `"active"` from Elixir JSON-shaped data works too),
/// and throws ``TermCodingError/dataCorrupted(expected:found:reason:codingPath:)`` for a name that
/// is no case. With other coders (JSON, property lists) the value is its raw string, exactly as a
/// plain `String`-backed `Codable` enum.
///
/// Without this protocol a `String`-backed enum is encoded as a binary (its raw string), and an
/// enum without raw values as Swift's synthesized keyed form, a map such as `#{active => #{}}`.
public protocol TermAtomRepresentable: RawRepresentable, Codable where RawValue == String {}

extension TermAtomRepresentable {
    /// Encodes the case as the atom named by `rawValue` (with ``TermEncoder``) or as `rawValue`
    /// (with other encoders).
    public func encode(to encoder: any Encoder) throws {
        if let encoder = encoder as? TermEncoderImpl {
            let atom = try TermEncodingContext.atom(
                named: rawValue, codingPath: encoder.codingPath)
            encoder.store(.atom(atom))
        } else {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }
    }

    /// Decodes the case named by an atom or a UTF-8 binary (with ``TermDecoder``) or by a string
    /// (with other decoders).
    public init(from decoder: any Decoder) throws {
        guard let decoder = decoder as? TermDecoderImpl else {
            let name = try decoder.singleValueContainer().decode(String.self)
            guard let value = Self(rawValue: name) else {
                throw DecodingError.dataCorrupted(
                    DecodingError.Context(
                        codingPath: decoder.codingPath,
                        debugDescription: "\(Self.self) has no case named \"\(name)\""))
            }
            self = value
            return
        }
        let expected = "an atom naming a case of \(Self.self)"
        let name: String
        switch decoder.term {
        case .atom(let atom):
            name = atom.name
        case .binary:
            guard let string = decoder.term.stringValue else {
                throw TermCodingError.dataCorrupted(
                    expected: expected, found: decoder.term, reason: "the binary is not UTF-8",
                    codingPath: decoder.codingPath)
            }
            name = string
        default:
            throw TermCodingError.mismatch(
                expected, found: decoder.term, codingPath: decoder.codingPath)
        }
        guard let value = Self(rawValue: name) else {
            throw TermCodingError.dataCorrupted(
                expected: expected, found: decoder.term,
                reason: "\(Self.self) has no case named \"\(name)\"",
                codingPath: decoder.codingPath)
        }
        self = value
    }
}
