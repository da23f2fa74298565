import ErlangDistribution
import NIOCore
import Testing

/// Handshake frames inside TLS have 4-byte lengths (`inet_tls_dist` keeps `{packet, 4}`), over
/// TCP 2-byte ones.
@Suite("Handshake framing")
struct HandshakeFramingTests {
    @Test("a message framed with 4-byte lengths decodes back, and only when complete")
    func fourByteRoundTrip() throws {
        var stream = ByteBuffer()
        HandshakeMessage.status(.ok).encodeFrame(into: &stream, framing: .fourByteLength)
        HandshakeMessage.status(.notAllowed).encodeFrame(into: &stream, framing: .fourByteLength)
        #expect(stream.getInteger(at: 0, as: UInt32.self) == 3)  // "sok"
        var partial = stream.getSlice(at: 0, length: 6)!
        #expect(try HandshakeFrameDecoder.nextFrame(from: &partial, framing: .fourByteLength) == nil)
        #expect(partial.readableBytes == 6, "nothing consumed from an incomplete frame")
        let first = try #require(try HandshakeFrameDecoder.nextFrame(from: &stream, framing: .fourByteLength))
        let second = try #require(try HandshakeFrameDecoder.nextFrame(from: &stream, framing: .fourByteLength))
        #expect(String(buffer: first) == "sok")
        #expect(String(buffer: second) == "snot_allowed")
        #expect(stream.readableBytes == 0)
    }

    @Test("a 4-byte length above the handshake's largest message is refused, not buffered")
    func oversizedFrame() {
        var stream = ByteBuffer()
        stream.writeInteger(UInt32(1 << 30))
        #expect(throws: HandshakeDecodingError.self) {
            _ = try HandshakeFrameDecoder.nextFrame(from: &stream, framing: .fourByteLength)
        }
    }

    @Test("2-byte framing is unchanged")
    func twoByte() throws {
        var stream = ByteBuffer()
        HandshakeMessage.status(.ok).encodeFrame(into: &stream)
        #expect(stream.getInteger(at: 0, as: UInt16.self) == 3)
        let frame = try HandshakeFrameDecoder.nextFrame(from: &stream, framing: .twoByteLength)
        #expect(frame.map { String(buffer: $0) } == "sok")
    }
}
