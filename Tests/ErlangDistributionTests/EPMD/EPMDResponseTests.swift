import ColonyTestSupport
import NIOCore
import Testing

@testable import ErlangDistribution

/// Replies, checked against bytes captured from OTP 25's `epmd`.
@Suite("EPMD replies")
struct EPMDResponseTests {
    typealias T = EPMDTestSupport

    // MARK: ALIVE2

    @Test("ALIVE2 replies from OTP's epmd decode: X_RESP, legacy RESP, and a refusal")
    func alive2KnownBytes() throws {
        var extended = T.buffer(hex: "76006b0b2415")
        #expect(
            try EPMDAlive2Response.read(from: &extended)
                == EPMDAlive2Response(result: 0, creation: 0x6B0B_2415, format: .extended))
        #expect(extended.readableBytes == 0)

        var legacy = T.buffer(hex: "79000001")
        #expect(
            try EPMDAlive2Response.read(from: &legacy) == EPMDAlive2Response(result: 0, creation: 1, format: .legacy))

        var refused = T.buffer(hex: "760100000063")
        let reply = try #require(try EPMDAlive2Response.read(from: &refused))
        #expect(!reply.succeeded && reply.result == 1 && reply.creation == 99)
    }

    @Test("ALIVE2 replies round-trip, and a legacy reply keeps 16 bits of creation")
    func alive2RoundTrip() throws {
        for reply in [
            EPMDAlive2Response(result: 0, creation: 0xFFFF_FFFF, format: .extended),
            EPMDAlive2Response(result: 1, creation: 99, format: .legacy),
            EPMDAlive2Response(result: 0, creation: 0x1_0003, format: .legacy),
        ] {
            var buffer = ByteBuffer()
            reply.encode(into: &buffer)
            #expect(buffer.readableBytes == (reply.format == .extended ? 6 : 4))
            #expect(try EPMDAlive2Response.read(from: &buffer) == reply)
        }
        #expect(EPMDAlive2Response(result: 0, creation: 0x1_0003, format: .legacy).creation == 3)
        #expect(EPMDAlive2Response.Format.forHighestVersion(6) == .extended)
        #expect(EPMDAlive2Response.Format.forHighestVersion(5) == .legacy)
    }

    @Test("A partial ALIVE2 reply waits for more bytes; a foreign tag is an error")
    func alive2Partial() throws {
        let bytes = T.bytes(hex: "76006b0b2415")
        for length in 0..<bytes.count {
            var buffer = T.buffer(Array(bytes.prefix(length)))
            #expect(try EPMDAlive2Response.read(from: &buffer) == nil)
            #expect(buffer.readableBytes == length)
        }
        #expect(throws: EPMDDecodingError.unexpectedReplyTag(expected: 118, actual: 119)) {
            var buffer = T.buffer([119, 1])
            _ = try EPMDAlive2Response.read(from: &buffer)
        }
    }

    // MARK: PORT2

    static let port2Found = "770015b34d0000060006000362617a0000"

    @Test("PORT2_RESP from OTP's epmd decodes, found and not found")
    func port2KnownBytes() throws {
        var found = T.buffer(hex: Self.port2Found)
        #expect(try EPMDPort2Response.read(from: &found) == .found(EPMDNodeInfo(name: "baz", port: 5555)))
        #expect(found.readableBytes == 0)

        var missing = T.buffer(hex: "7701")
        #expect(try EPMDPort2Response.read(from: &missing) == .notFound(result: 1))
        #expect(missing.readableBytes == 0)
    }

    @Test("PORT2_RESP round-trips, with extra bytes and a hidden node")
    func port2RoundTrip() throws {
        let node = EPMDNodeInfo(
            name: "knoten-ü", port: 1, nodeType: .hidden, protocol: 0, highestVersion: 6, lowestVersion: 5,
            extra: [0, 1, 2, 254])
        for reply in [EPMDPort2Response.found(node), .notFound(result: 1)] {
            var buffer = ByteBuffer()
            reply.encode(into: &buffer)
            #expect(try EPMDPort2Response.read(from: &buffer) == reply)
            #expect(buffer.readableBytes == 0)
        }
        var buffer = ByteBuffer()
        EPMDPort2Response.found(EPMDNodeInfo(name: "baz", port: 5555)).encode(into: &buffer)
        #expect(Array(buffer.readableBytesView) == T.bytes(hex: Self.port2Found))
    }

    @Test("A partial PORT2_RESP waits for more bytes and consumes nothing")
    func port2Partial() throws {
        let bytes = T.bytes(hex: Self.port2Found) + [0xAA]
        for length in 0..<(bytes.count - 1) {
            var buffer = T.buffer(Array(bytes.prefix(length)))
            #expect(try EPMDPort2Response.read(from: &buffer) == nil)
            #expect(buffer.readableBytes == length)
        }
        var buffer = T.buffer(bytes)
        #expect(try EPMDPort2Response.read(from: &buffer) != nil)
        #expect(Array(buffer.readableBytesView) == [0xAA])
    }

    @Test("A PORT2_RESP with a foreign tag or a name that is not UTF-8 is an error")
    func port2Malformed() {
        #expect(throws: EPMDDecodingError.unexpectedReplyTag(expected: 119, actual: 118)) {
            var buffer = T.buffer(hex: "76006b0b2415")
            _ = try EPMDPort2Response.read(from: &buffer)
        }
        #expect(throws: EPMDDecodingError.invalidUTF8(message: "PORT2_RESP", field: "node name")) {
            var buffer = T.buffer(hex: "770015b34d00000600060001ff0000")
            _ = try EPMDPort2Response.read(from: &buffer)
        }
    }

    // MARK: NAMES

    @Test("NAMES_RESP from OTP's epmd decodes")
    func namesKnownBytes() throws {
        let bytes: [UInt8] = [0, 0, 0xA8, 0x67] + Array("name baz at port 5555\nname a at port 40263\n".utf8)
        let reply = try EPMDNamesResponse(decoding: T.buffer(bytes))
        #expect(reply.epmdPort == 43111)
        #expect(reply.entries == [.init(name: "baz", port: 5555), .init(name: "a", port: 40263)])

        var encoded = ByteBuffer()
        reply.encode(into: &encoded)
        #expect(Array(encoded.readableBytesView) == bytes)
    }

    @Test("An empty NAMES_RESP has no entries; one that closed before the port is empty too")
    func namesEmpty() throws {
        #expect(try EPMDNamesResponse(decoding: T.buffer([0, 0, 0x11, 0x11])).entries.isEmpty)
        #expect(try EPMDNamesResponse(decoding: T.buffer([])) == EPMDNamesResponse(epmdPort: 0, entries: []))
    }

    @Test("A name is everything up to the last ' at port '")
    func namesWithOddCharacters() throws {
        let text = "name a at port b at port 7\nname ü at port 65535\n"
        let reply = try EPMDNamesResponse(decoding: T.buffer([0, 0, 0, 1] + Array(text.utf8)))
        #expect(reply.entries == [.init(name: "a at port b", port: 7), .init(name: "ü", port: 65535)])
    }

    @Test(
        "Malformed NAMES lines are errors",
        arguments: [
            "nam a at port 1\n", "name a at port\n", "name  at port 1\n", "name a at port 65536\n",
            "name a at port -1\n", "name a at port 1x\n", "name a at port 123456\n", "\n", "name a port 1\n",
        ])
    func namesMalformed(text: String) {
        #expect(throws: EPMDDecodingError.self) {
            _ = try EPMDNamesResponse(decoding: T.buffer([0, 0, 0, 1] + Array(text.utf8)))
        }
    }

    @Test("A NAMES_RESP cut inside the port or a line is truncated")
    func namesTruncated() {
        #expect(throws: EPMDDecodingError.truncated(message: "NAMES_RESP", field: "EPMD port")) {
            _ = try EPMDNamesResponse(decoding: T.buffer([0, 0]))
        }
        #expect(throws: EPMDDecodingError.truncated(message: "NAMES_RESP", field: "end of line")) {
            _ = try EPMDNamesResponse(decoding: T.buffer([0, 0, 0, 1] + Array("name a at port 1".utf8)))
        }
    }

    @Test("Random bytes never trap the reply decoders")
    func randomBytes() {
        var random = SplitMix64(seed: 0x119)
        for _ in 0..<5000 {
            let length = Int(random.next() % 32)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if !bytes.isEmpty { bytes[0] = [118, 119, 121, 0][Int(random.next() % 4)] }
            var alive = T.buffer(bytes)
            _ = try? EPMDAlive2Response.read(from: &alive)
            var port = T.buffer(bytes)
            if bytes.count > 1, random.next() % 2 == 0 { port.setInteger(UInt8(0), at: 1) }
            _ = try? EPMDPort2Response.read(from: &port)
            _ = try? EPMDNamesResponse(decoding: T.buffer(bytes))
        }
    }
}
