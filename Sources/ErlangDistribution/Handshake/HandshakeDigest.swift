import Crypto

/// The 16-byte MD5 digest a node proves its cookie with: `MD5(cookie ++ decimal(challenge))`.
///
/// The challenge is written as the unsigned decimal text of the 32-bit value, exactly as OTP's
/// `integer_to_list/1` does, and appended to the cookie's text (its UTF-8 bytes; OTP cookies are
/// atoms and in practice ASCII). Digests compare in constant time with ``matches(_:)``.
public struct HandshakeDigest: Sendable, Hashable, CustomStringConvertible {
    /// The first 8 bytes, big-endian.
    private let high: UInt64
    /// The last 8 bytes, big-endian.
    private let low: UInt64

    /// A digest from its 16 bytes; `nil` for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 {
                high = high << 8 | UInt64(byte)
            } else {
                low = low << 8 | UInt64(byte)
            }
        }
        self.high = high
        self.low = low
    }

    /// The digest `cookie` yields for `challenge`.
    public init(cookie: String, challenge: UInt32) {
        var hasher = Insecure.MD5()
        hasher.update(data: Array(cookie.utf8))
        hasher.update(data: Array(String(challenge).utf8))
        let bytes = Array(hasher.finalize())
        self.init(bytes: bytes)!
    }

    /// The 16 bytes, as sent on the wire.
    public var bytes: [UInt8] {
        (0..<16).map { index in
            let word = index < 8 ? high : low
            return UInt8(truncatingIfNeeded: word >> (8 * (7 - UInt64(index % 8))))
        }
    }

    /// Whether `other` is the same digest, compared without an early exit.
    public func matches(_ other: HandshakeDigest) -> Bool {
        (high ^ other.high) | (low ^ other.low) == 0
    }

    /// The digest in lowercase hex.
    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
