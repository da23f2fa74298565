/// Encodes `Encodable` Swift values as Erlang terms, in the shape Elixir code expects.
///
/// | Swift | Term |
/// |---|---|
/// | `String` | UTF-8 binary |
/// | `Int`, `Int8`…`Int128`, `UInt`…`UInt128` | integer (a bignum beyond 64 bits) |
/// | `Double`, `Float` | float |
/// | `Bool` | `true` / `false` |
/// | `nil` | `nil` |
/// | arrays, sets | proper list |
/// | `[UInt8]`, `Data` | binary |
/// | dictionaries | map; each key is encoded as a term (`String` → binary, `Int` → integer) |
/// | structs, classes | map with atom keys |
/// | ``TermAtomRepresentable`` enums | atom |
/// | ``Term``, ``Atom``, ``PID``, ``ErlangPort``, ``Reference``, ``TermMap``, ``BigInteger`` | themselves |
///
/// A keyed container writes a `nil` optional as `key => nil` rather than leaving the key out, so
/// Elixir pattern matches on the key succeed. See <doc:CodableMapping> for the full mapping.
///
/// ```swift
/// struct Point: Codable { var x: Int; var y: Int }
/// let term = try TermEncoder().encode(Point(x: 1, y: 2))
/// // #{x => 1, y => 2}
/// ```
public struct TermEncoder: Sendable {
    /// The order in which the encoder writes the pairs of the maps it builds.
    public enum MapKeyOrder: Sendable, Hashable {
        /// Keys sorted in Erlang term order (the default). For maps of up to 32 keys this is the
        /// order OTP 25's `term_to_binary` writes, so the encoded bytes are the same; larger maps
        /// are sorted too, which keeps the output deterministic.
        case termOrder
        /// Keys in the order the value encoded them (declaration order for synthesized `Codable`).
        case encodingOrder
    }

    /// The order of pairs in the maps the encoder builds; ``MapKeyOrder/termOrder`` by default.
    /// Map equality ignores order, so this only affects the encoded bytes.
    public var mapKeyOrder: MapKeyOrder = .termOrder

    /// Values passed to every `encode(to:)` as `encoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    /// Creates an encoder with the default options.
    public init() {}

    /// Encodes `value` as a term.
    ///
    /// - Throws: ``TermCodingError`` when a value has no term form (a NaN float, a key too long to
    ///   be an atom, a value that encodes nothing); errors thrown by the value's `encode(to:)`.
    public func encode<T: Encodable>(_ value: T) throws -> Term {
        let context = TermEncodingContext(
            sortsMapKeys: mapKeyOrder == .termOrder, userInfo: userInfo)
        let term = try context.encodeTopLevel(value)
        if let error = context.deferredError { throw error }
        return term
    }
}
