/// Limits and choices for decoding untrusted External Term Format bytes.
public struct ETFDecodingOptions: Sendable, Equatable {
    /// The deepest nesting of tuples, lists, maps and funs accepted (default 512).
    public var maximumDepth: Int = 512
    /// The largest size a compressed term may expand to (default 64 MiB).
    public var maximumDecompressedSize: Int = 64 << 20
    /// The largest bignum magnitude in bytes (default 16 KiB, about 39,000 decimal digits).
    public var maximumIntegerBytes: Int = 16 << 10
    /// When `false`, an atom that does not exist yet is an error, like `binary_to_term(B, [safe])`.
    public var createsAtoms: Bool = true
    /// Whether a top-level `LOCAL_EXT` term is accepted (kept as opaque bytes).
    public var acceptsLocalExt: Bool = true

    /// The defaults: safe for network input.
    public init() {}
}

/// Choices for encoding.
public struct ETFEncodingOptions: Sendable, Equatable {
    /// zlib level 1–9 to compress the term (tag 80), or `nil` for none. As OTP does, the
    /// compressed form is used only when it is smaller.
    public var compressionLevel: Int?

    /// Creates options.
    public init(compressionLevel: Int? = nil) {
        self.compressionLevel = compressionLevel
    }
}
