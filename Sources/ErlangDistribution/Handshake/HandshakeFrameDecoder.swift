public import NIOCore

/// Splits the handshake's byte stream into message bodies: each frame is a 2-byte big-endian
/// length followed by that many bytes (`{packet, 2}` in `gen_tcp` terms).
///
/// After the handshake the connection switches to 4-byte frames. When the decoder is removed
/// from the pipeline (not at end of stream), it passes any bytes it still holds on unframed, so
/// the distribution traffic the peer sent right after the handshake reaches the next handler.
public struct HandshakeFrameDecoder: ByteToMessageDecoder {
    /// One frame body.
    public typealias InboundOut = ByteBuffer

    /// Creates a decoder.
    public init() {}

    /// The next complete frame's body, consumed from `buffer` with its length prefix; `nil`
    /// (consuming nothing) when `buffer` does not hold a complete frame yet.
    public static func nextFrame(from buffer: inout ByteBuffer) -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
            buffer.readableBytes >= 2 + Int(length)
        else { return nil }
        buffer.moveReaderIndex(forwardBy: 2)
        return buffer.readSlice(length: Int(length))
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = Self.nextFrame(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        if seenEOF {
            // End of stream: deliver the complete frames; a partial one can never complete.
            while let frame = Self.nextFrame(from: &buffer) {
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
