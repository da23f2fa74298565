import NIOCore

/// How handshake messages are framed on the wire.
///
/// Over plain TCP (`inet_tcp_dist`) each handshake message has a 2-byte length prefix
/// (`{packet, 2}`). OTP's TLS distribution (`inet_tls_dist`) opens its socket with `{packet, 4}`
/// and keeps it for the handshake, so inside TLS each handshake message has a 4-byte length
/// prefix. Either way, the traffic after the handshake has 4-byte prefixes.
public enum HandshakeFraming: Sendable, Hashable, CustomStringConvertible {
    /// A 2-byte big-endian length before each message: distribution over TCP.
    case twoByteLength
    /// A 4-byte big-endian length before each message: distribution over TLS, as `inet_tls_dist`.
    case fourByteLength

    /// The size of the length prefix, in bytes.
    public var prefixLength: Int {
        switch self {
        case .twoByteLength: 2
        case .fourByteLength: 4
        }
    }

    public var description: String {
        switch self {
        case .twoByteLength: "2-byte length"
        case .fourByteLength: "4-byte length"
        }
    }

    /// The length announced by the prefix at the start of `buffer`'s readable bytes, or `nil` when
    /// the prefix is not complete yet.
    func announcedLength(in buffer: ByteBuffer) -> Int? {
        switch self {
        case .twoByteLength:
            buffer.getInteger(at: buffer.readerIndex, as: UInt16.self).map(Int.init)
        case .fourByteLength:
            // Clamped before converting: a hostile length must not trap where Int has 32 bits.
            buffer.getInteger(at: buffer.readerIndex, as: UInt32.self).map { Int(min($0, UInt32(Int32.max))) }
        }
    }

    /// Writes a placeholder prefix and returns where it is, for ``patch(_:at:in:)``.
    func writePlaceholder(into buffer: inout ByteBuffer) -> Int {
        let index = buffer.writerIndex
        switch self {
        case .twoByteLength: buffer.writeInteger(UInt16(0))
        case .fourByteLength: buffer.writeInteger(UInt32(0))
        }
        return index
    }

    /// Sets the prefix written at `index` to `length`.
    func patch(_ length: Int, at index: Int, in buffer: inout ByteBuffer) {
        switch self {
        case .twoByteLength: buffer.setInteger(UInt16(length), at: index)
        case .fourByteLength: buffer.setInteger(UInt32(length), at: index)
        }
    }
}
