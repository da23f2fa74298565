public import NIOCore

/// Splits distribution traffic after the handshake into frames: a 4-byte big-endian length, then
/// that many bytes. A zero length is a tick. Frames larger than the limit are refused before their
/// bytes are buffered.
public struct DistributionFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    /// The largest frame accepted.
    public let maximumFrameSize: Int

    /// A decoder refusing frames over `maximumFrameSize` bytes.
    public init(maximumFrameSize: Int) {
        self.maximumFrameSize = maximumFrameSize
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        guard Int(length) <= maximumFrameSize else {
            throw DistributionError.frameTooLarge(size: Int(length), limit: maximumFrameSize)
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        context.fireChannelRead(Self.wrapInboundOut(buffer.readSlice(length: Int(length))!))
        return .continue
    }
}
