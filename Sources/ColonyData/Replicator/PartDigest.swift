import Crypto
import ErlangTerm

/// A part's state in 16 bytes, the same on every node that holds the same state: anti-entropy
/// sends these first, and a peer asks only for the parts whose digest differs from its own.
///
/// The state is encoded with map keys in term order (so two equal values give the same bytes
/// whatever their dictionaries' iteration order) and hashed with SHA-256, truncated. A value that
/// holds a Swift `Set` inside a part encodes it as a list in iteration order: equal states may
/// then differ in digest, which costs a transfer, never a missed one.
struct PartDigest: Hashable, Sendable {
    let high: UInt64
    let low: UInt64

    /// The byte count on the wire.
    static let size = 16

    private static let encoder = TermEncoder()

    /// The digest of `value` (a value restricted to one part).
    static func of<Value: ReplicatedData>(_ value: Value) throws -> PartDigest {
        let bytes = try ETF.encode(try encoder.encode(value))
        let hash = SHA256.hash(data: bytes)
        return hash.withUnsafeBytes { raw in
            PartDigest(
                high: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
    }

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The digest in `bytes` (16, big-endian), `nil` for any other length.
    init?(bytes: [UInt8]) {
        guard bytes.count == Self.size else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<8 {
            high = high << 8 | UInt64(bytes[index])
            low = low << 8 | UInt64(bytes[index + 8])
        }
        self.init(high: high, low: low)
    }

    /// The 16 bytes, big-endian.
    var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
    }
}
