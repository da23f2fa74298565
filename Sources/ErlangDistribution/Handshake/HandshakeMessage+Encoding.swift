public import NIOCore

extension HandshakeMessage {
    /// The largest message body a 2-byte length prefix can describe; also the largest accepted
    /// inside a 4-byte prefix, since no handshake message comes near it.
    public static let maximumBodyLength = Int(UInt16.max)

    /// Writes the message body (tag and fields, no length prefix) to `buffer`.
    ///
    /// Node names are written as their UTF-8 bytes. A name longer than the 16-bit length field
    /// allows is a programming error (names are atoms of at most 255 characters) and traps.
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(tag)
        switch self {
        case .name(let flags, let creation, let name):
            buffer.writeInteger(flags.rawValue)
            buffer.writeInteger(creation)
            Self.writeName(name, into: &buffer)
        case .oldName(let version, let flags, let name):
            buffer.writeInteger(version)
            buffer.writeInteger(UInt32(truncatingIfNeeded: flags.rawValue))
            buffer.writeString(name)
        case .status(let status):
            buffer.writeString(status.text)
            if case .named(let name, let creation) = status {
                Self.writeName(name, into: &buffer)
                buffer.writeInteger(creation)
            }
        case .challenge(let flags, let challenge, let creation, let name):
            buffer.writeInteger(flags.rawValue)
            buffer.writeInteger(challenge)
            buffer.writeInteger(creation)
            Self.writeName(name, into: &buffer)
        case .complement(let flagsHigh, let creation):
            buffer.writeInteger(flagsHigh)
            buffer.writeInteger(creation)
        case .challengeReply(let challenge, let digest):
            buffer.writeInteger(challenge)
            buffer.writeBytes(digest.bytes)
        case .challengeAck(let digest):
            buffer.writeBytes(digest.bytes)
        }
    }

    /// Writes the message as a handshake frame: its length prefix (2 bytes over TCP, 4 over TLS;
    /// see ``HandshakeFraming``), then the body.
    public func encodeFrame(into buffer: inout ByteBuffer, framing: HandshakeFraming = .twoByteLength) {
        let lengthIndex = framing.writePlaceholder(into: &buffer)
        encode(into: &buffer)
        let length = buffer.writerIndex - lengthIndex - framing.prefixLength
        precondition(length <= Self.maximumBodyLength, "handshake message of \(length) bytes")
        framing.patch(length, at: lengthIndex, in: &buffer)
    }

    /// The message body in a new buffer.
    public func encoded(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 32)
        encode(into: &buffer)
        return buffer
    }

    private static func writeName(_ name: String, into buffer: inout ByteBuffer) {
        let count = name.utf8.count
        precondition(count <= Int(UInt16.max), "node name of \(count) bytes")
        buffer.writeInteger(UInt16(count))
        buffer.writeString(name)
    }
}
