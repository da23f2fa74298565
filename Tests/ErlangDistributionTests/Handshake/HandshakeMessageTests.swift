import ErlangDistribution
import NIOCore
import Testing

@Suite("Handshake: message encoding and decoding")
struct HandshakeMessageTests {
    static let digest = HandshakeDigest(cookie: "secret", challenge: 123_456_789)

    /// Every message with the role that sends it.
    static let samples: [(HandshakeMessage, HandshakeRole)] = [
        (.name(flags: .colonyDefault, creation: 0x0102_0304, name: "colony@127.0.0.1"), .initiator),
        (.oldName(version: 5, flags: [.handshake23, .published], name: "old@host"), .initiator),
        (.status(.aliveReply(true)), .initiator),
        (.status(.aliveReply(false)), .initiator),
        (.complement(flagsHigh: 0xF, creation: 7), .initiator),
        (.challengeReply(challenge: 0xDEAD_BEEF, digest: digest), .initiator),
        (.status(.ok), .acceptor),
        (.status(.okSimultaneous), .acceptor),
        (.status(.nok), .acceptor),
        (.status(.notAllowed), .acceptor),
        (.status(.alive), .acceptor),
        (.status(.named(name: "dyn@host", creation: 99)), .acceptor),
        (.challenge(flags: .colonyDefault, challenge: 1, creation: 2, name: "e1@127.0.0.1"), .acceptor),
        (.challengeAck(digest: digest), .acceptor),
    ]

    static func bytes(_ message: HandshakeMessage) -> [UInt8] {
        Array(message.encoded().readableBytesView)
    }

    static func decode(_ bytes: [UInt8], sentBy sender: HandshakeRole) throws(HandshakeDecodingError)
        -> HandshakeMessage
    {
        try HandshakeMessage.decode(ByteBuffer(bytes: bytes), sentBy: sender)
    }

    static func decodingError(_ bytes: [UInt8], sentBy sender: HandshakeRole) -> HandshakeDecodingError? {
        do {
            _ = try decode(bytes, sentBy: sender)
            return nil
        } catch {
            return error
        }
    }

    @Test("every message decodes to itself", arguments: 0..<samples.count)
    func roundTrip(index: Int) throws {
        let (message, sender) = Self.samples[index]
        #expect(try Self.decode(Self.bytes(message), sentBy: sender) == message)
    }

    @Test("send_name 'N' has the version 6 layout: flags 8, creation 4, nlen 2, name")
    func sendNameBytes() {
        let message = HandshakeMessage.name(
            flags: DistributionFlags(rawValue: 0xD_07DF_7FBD), creation: 0x0102_0304, name: "a@b")
        #expect(
            Self.bytes(message) == [
                0x4E, 0, 0, 0, 0x0D, 0x07, 0xDF, 0x7F, 0xBD, 1, 2, 3, 4, 0, 3, 0x61, 0x40, 0x62,
            ])
    }

    @Test("challenge 'N' has flags 8, challenge 4, creation 4, nlen 2, name")
    func challengeBytes() {
        let message = HandshakeMessage.challenge(
            flags: DistributionFlags(rawValue: 0x1_0000_0005), challenge: 0xAABB_CCDD, creation: 9, name: "x@y")
        #expect(
            Self.bytes(message) == [
                0x4E, 0, 0, 0, 1, 0, 0, 0, 5, 0xAA, 0xBB, 0xCC, 0xDD, 0, 0, 0, 9, 0, 3, 0x78, 0x40, 0x79,
            ])
    }

    @Test("status, complement, reply and ack bytes")
    func otherBytes() {
        #expect(Self.bytes(.status(.ok)) == Array("sok".utf8))
        #expect(Self.bytes(.status(.okSimultaneous)) == Array("sok_simultaneous".utf8))
        #expect(Self.bytes(.status(.notAllowed)) == Array("snot_allowed".utf8))
        #expect(Self.bytes(.status(.aliveReply(false))) == Array("sfalse".utf8))
        #expect(
            Self.bytes(.status(.named(name: "a@b", creation: 1))) == Array("snamed:".utf8) + [
                0, 3, 0x61, 0x40, 0x62, 0, 0, 0, 1,
            ])
        #expect(Self.bytes(.complement(flagsHigh: 0xF, creation: 0x10)) == [0x63, 0, 0, 0, 0xF, 0, 0, 0, 0x10])
        #expect(
            Self.bytes(.challengeReply(challenge: 1, digest: Self.digest)) == [0x72, 0, 0, 0, 1] + Self.digest.bytes)
        #expect(Self.bytes(.challengeAck(digest: Self.digest)) == [0x61] + Self.digest.bytes)
        #expect(
            Self.bytes(.oldName(version: 5, flags: .published, name: "a@b")) == [
                0x6E, 0, 5, 0, 0, 0, 1, 0x61, 0x40, 0x62,
            ])
    }

    @Test("a frame is the body behind a 2-byte big-endian length")
    func frame() {
        var buffer = ByteBuffer()
        HandshakeMessage.status(.ok).encodeFrame(into: &buffer)
        #expect(Array(buffer.readableBytesView) == [0, 3] + Array("sok".utf8))
    }

    @Test("bytes after the name of send_name, the challenge and named: are ignored")
    func extraBytesIgnored() throws {
        let name = HandshakeMessage.name(flags: .colonyDefault, creation: 1, name: "a@b")
        #expect(try Self.decode(Self.bytes(name) + [1, 2, 3], sentBy: .initiator) == name)
        let challenge = HandshakeMessage.challenge(flags: .colonyDefault, challenge: 5, creation: 1, name: "a@b")
        #expect(try Self.decode(Self.bytes(challenge) + [9], sentBy: .acceptor) == challenge)
        let named = HandshakeMessage.status(.named(name: "a@b", creation: 1))
        #expect(try Self.decode(Self.bytes(named) + [9], sentBy: .acceptor) == named)
    }

    @Test("malformed input gives typed errors")
    func malformed() {
        let name = Self.bytes(.name(flags: .colonyDefault, creation: 1, name: "a@b"))
        let ack = Self.bytes(.challengeAck(digest: Self.digest))
        let reply = Self.bytes(.challengeReply(challenge: 1, digest: Self.digest))
        #expect(Self.decodingError([], sentBy: .acceptor) == .empty)
        #expect(Self.decodingError([0x78], sentBy: .acceptor) == .unexpectedTag(0x78, sender: .acceptor))
        #expect(Self.decodingError(ack, sentBy: .initiator) == .unexpectedTag(0x61, sender: .initiator))
        #expect(Self.decodingError(Array("nxxxxxx".utf8), sentBy: .acceptor) == .unexpectedTag(0x6E, sender: .acceptor))
        #expect(
            Self.decodingError(Array(name.prefix(10)), sentBy: .initiator)
                == .truncated(message: "send_name", needed: 14, available: 9))
        #expect(
            Self.decodingError(Array(name.dropLast()), sentBy: .initiator)
                == .truncated(message: "send_name", needed: 3, available: 2))
        #expect(
            Self.decodingError(Array(name.prefix(15)), sentBy: .initiator)
                == .truncated(message: "send_name", needed: 3, available: 0))
        #expect(
            Self.decodingError(Array(ack.dropLast()), sentBy: .acceptor)
                == .truncated(message: "challenge_ack", needed: 16, available: 15))
        #expect(Self.decodingError(ack + [0], sentBy: .acceptor) == .trailingBytes(message: "challenge_ack", count: 1))
        #expect(
            Self.decodingError(reply + [0, 0], sentBy: .initiator)
                == .trailingBytes(message: "challenge_reply", count: 2))
        #expect(
            Self.decodingError([0x63, 0, 0, 0], sentBy: .initiator)
                == .truncated(message: "complement", needed: 8, available: 3))
        #expect(Self.decodingError(Array("smaybe".utf8), sentBy: .acceptor) == .unknownStatus("maybe"))
        #expect(Self.decodingError(Array("sok".utf8), sentBy: .initiator) == .unknownStatus("ok"))
        #expect(Self.decodingError(Array("strue".utf8), sentBy: .acceptor) == .unknownStatus("true"))
        #expect(
            Self.decodingError(Array("snamed:".utf8) + [0, 3, 0x61, 0x40, 0x62, 0, 0], sentBy: .acceptor)
                == .truncated(message: "status named:", needed: 4, available: 2))
    }

    @Test("node names must be non-empty UTF-8 of at most 255 characters")
    func names() {
        let header: [UInt8] = [0x4E, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
        #expect(Self.decodingError(header + [0, 0], sentBy: .initiator) == .invalidName("empty"))
        #expect(Self.decodingError(header + [0, 2, 0xC3, 0x28], sentBy: .initiator) == .invalidName("not valid UTF-8"))
        let long = [UInt8](repeating: 0x61, count: 256)
        #expect(
            Self.decodingError(header + [1, 0] + long, sentBy: .initiator)
                == .invalidName("more than 255 characters"))
        let unicode = Array("ö@host".utf8)
        #expect(
            (try? Self.decode(header + [0, UInt8(unicode.count)] + unicode, sentBy: .initiator))
                == .name(flags: [], creation: 1, name: "ö@host"))
        #expect(Self.decodingError([0x6E, 0, 5, 0, 0, 0, 0], sentBy: .initiator) == .invalidName("empty"))
    }

    @Test("the frame decoder splits complete frames and keeps partial ones")
    func frameSplitting() {
        var stream = ByteBuffer()
        HandshakeMessage.status(.ok).encodeFrame(into: &stream)
        HandshakeMessage.challengeAck(digest: Self.digest).encodeFrame(into: &stream)
        stream.writeBytes([0, 5, 1, 2])
        let first = HandshakeFrameDecoder.nextFrame(from: &stream)
        let second = HandshakeFrameDecoder.nextFrame(from: &stream)
        #expect(first.map { Array($0.readableBytesView) } == Array("sok".utf8))
        #expect(second.map { Array($0.readableBytesView) } == [0x61] + Self.digest.bytes)
        #expect(HandshakeFrameDecoder.nextFrame(from: &stream) == nil)
        #expect(stream.readableBytes == 4)
        stream.writeBytes([3, 4, 5])
        #expect(HandshakeFrameDecoder.nextFrame(from: &stream).map { Array($0.readableBytesView) } == [1, 2, 3, 4, 5])
        var empty = ByteBuffer(bytes: [0])
        #expect(HandshakeFrameDecoder.nextFrame(from: &empty) == nil)
        #expect(empty.readableBytes == 1)
    }
}
