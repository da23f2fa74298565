/// Why bytes could not be decoded as, or a term could not be encoded to, the External Term Format.
///
/// Every failure names what was wrong and the byte offset where the decoder found it (for a
/// compressed term, the offset inside the decompressed data).
public struct ETFError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The input ended early: `needed` more bytes were required.
        case truncated(needed: Int)
        /// The first byte was not the version byte 131.
        case badVersion(UInt8)
        /// A tag that is not part of the format, or not allowed here.
        case unknownTag(UInt8)
        /// Terms nest deeper than the decoder's limit.
        case tooDeep(limit: Int)
        /// A length or count field promises more than the input holds.
        case lengthExceedsInput(length: Int, remaining: Int)
        /// An atom's text is not valid UTF-8, or has more than 255 characters.
        case invalidAtom
        /// Decoding would create more atoms than ``AtomTable/inputLimit`` allows.
        case atomLimitExceeded
        /// The decoder runs in safe mode and the atom does not exist yet.
        case unknownAtom(String)
        /// A float that is not finite, or a `FLOAT_EXT` string that does not parse.
        case invalidFloat
        /// A map holds the same key twice.
        case duplicateMapKey
        /// A field holds a value outside its range (a bitstring's bit count, a bignum's sign, a
        /// reference's word count, a fun's size field, ...).
        case invalidField(String)
        /// A bignum is larger than the decoder's limit.
        case integerTooLarge(bytes: Int)
        /// `ATOM_CACHE_REF` without a distribution header, or an index the header does not define.
        case invalidAtomCacheReference(Int)
        /// The zlib data of a compressed term is corrupt, or its size differs from the header.
        case decompressionFailed(String)
        /// A compressed term would decompress to more than the decoder's limit.
        case decompressedTooLarge(size: Int, limit: Int)
        /// `LOCAL_EXT` inside another term; it may only stand at the top.
        case misplacedLocalExt
        /// Bytes remain after the term.
        case trailingBytes(Int)
        /// The term cannot be encoded (a non-finite float, an atom over 255 characters, ...).
        case unencodable(String)
    }

    /// What went wrong.
    public let kind: Kind
    /// The byte offset at which the problem was found.
    public let offset: Int

    /// Creates an error.
    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    public var description: String { "ETF error at byte \(offset): \(kind)" }
}
