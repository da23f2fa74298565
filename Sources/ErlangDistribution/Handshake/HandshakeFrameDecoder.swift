public import NIOCore

/// Splits the handshake's byte stream into message bodies: each frame is a big-endian length
/// followed by that many bytes; the length has 2 bytes over TCP (`{packet, 2}` in `gen_tcp`
/// terms) and 4 over TLS (see ``HandshakeFraming``). A 4-byte length above
/// ``HandshakeMessage/maximumBodyLength`` is refused with ``HandshakeDecodingError/invalidFrame(_:)``
/// rather than buffered.
///
/// After the handshake the connection switches to 4-byte frames. When the decoder is removed
/// from the pipeline (not at end of stream), it passes any bytes it still holds on unframed, so
/// the distribution traffic the peer sent right after the handshake reaches the next handler.
public struct HandshakeFrameDecoder: ByteToMessageDecoder {
    /// One frame body.
    public typealias InboundOut = ByteBuffer

    /// How the frames are prefixed.
    public let framing: HandshakeFraming

    /// Creates a decoder for frames with `framing`'s length prefix.
    public init(framing: HandshakeFraming = .twoByteLength) {
        self.framing = framing
    }

    /// The next complete 2-byte-prefixed frame's body, consumed from `buffer` with its length
    /// prefix; `nil` (consuming nothing) when `buffer` does not hold a complete frame yet.
    public static func nextFrame(from buffer: inout ByteBuffer) -> ByteBuffer? {
        try? nextFrame(from: &buffer, framing: .twoByteLength)
    }

    /// The next complete frame's body, consumed from `buffer` with its length prefix; `nil`
    /// (consuming nothing) when `buffer` does not hold a complete frame yet. Throws when a 4-byte
    /// prefix announces more than ``HandshakeMessage/maximumBodyLength`` bytes.
    public static func nextFrame(from buffer: inout ByteBuffer, framing: HandshakeFraming) throws -> ByteBuffer? {
        guard let length = framing.announcedLength(in: buffer) else { return nil }
        guard length <= HandshakeMessage.maximumBodyLength else {
            throw HandshakeDecodingError.invalidFrame(
                "a frame of \(length) bytes, more than the handshake's \(HandshakeMessage.maximumBodyLength)")
        }
        guard buffer.readableBytes >= framing.prefixLength + length else { return nil }
        buffer.moveReaderIndex(forwardBy: framing.prefixLength)
        return buffer.readSlice(length: length)
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try Self.nextFrame(from: &buffer, framing: framing) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        if seenEOF {
            // End of stream: deliver the complete frames; a partial one can never complete.
            while let frame = try Self.nextFrame(from: &buffer, framing: framing) {
                context.fireChannelRead(Self.wrapInboundOut(frame))
            }
            buffer.moveReaderIndex(to: buffer.writerIndex)
        } else if buffer.readableBytes > 0, let rest = buffer.readSlice(length: buffer.readableBytes) {
            // Removed after the handshake: what remains is 4-byte framed traffic for the next handler.
            context.fireChannelRead(Self.wrapInboundOut(rest))
        }
        return .needMoreData
    }
}
