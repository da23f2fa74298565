import ColonyTestSupport
import NIOCore
import Testing

@testable import ErlangDistribution

@Suite("EPMD requests")
struct EPMDRequestTests {
    typealias T = EPMDTestSupport

    static let node = EPMDNodeInfo(name: "a", port: 0x1234)

    /// The bytes OTP 25's `erl_epmd` sends to register `a` on port 0x1234.
    static let alive2Frame: [UInt8] = [0, 14, 120, 0x12, 0x34, 77, 0, 0, 6, 0, 6, 0, 1, 0x61, 0, 0]

    @Test("ALIVE2_REQ encodes as OTP sends it")
    func alive2KnownBytes() {
        let encoded = EPMDRequest.alive2(Self.node).encoded()
        #expect(Array(encoded.readableBytesView) == Self.alive2Frame)
    }

    @Test("PORT_PLEASE2_REQ and NAMES_REQ encode as OTP sends them")
    func otherKnownBytes() {
        #expect(Array(EPMDRequest.portPlease2(name: "ab").encoded().readableBytesView) == [0, 3, 122, 0x61, 0x62])
        #expect(Array(EPMDRequest.names.encoded().readableBytesView) == [0, 1, 110])
    }

    @Test(
        "Requests survive a round trip through their frames",
        arguments: [
            EPMDRequest.alive2(Self.node),
            .alive2(
                EPMDNodeInfo(
                    name: "Überknoten", port: 65535, nodeType: .hidden, protocol: 0, highestVersion: 6,
                    lowestVersion: 5, extra: [1, 2, 3, 0, 255])),
            .portPlease2(name: "colony"),
            .portPlease2(name: "ノード"),
            .names,
        ])
    func roundTrip(request: EPMDRequest) throws {
        var buffer = request.encoded()
        let decoded = try EPMDRequest.readFrame(from: &buffer)
        #expect(decoded == request)
        #expect(buffer.readableBytes == 0)
    }

    @Test("Every prefix of a frame asks for more bytes and consumes nothing")
    func partialFrames() throws {
        for length in 0..<Self.alive2Frame.count {
            var buffer = T.buffer(Array(Self.alive2Frame.prefix(length)))
            #expect(try EPMDRequest.readFrame(from: &buffer) == nil)
            #expect(buffer.readableBytes == length)
        }
    }

    @Test("Frames that arrive together are read one by one")
    func backToBackFrames() throws {
        var buffer = T.buffer(Self.alive2Frame + [0, 1, 110] + [0, 2, 122])
        #expect(try EPMDRequest.readFrame(from: &buffer) == .alive2(Self.node))
        #expect(try EPMDRequest.readFrame(from: &buffer) == .names)
        #expect(try EPMDRequest.readFrame(from: &buffer) == nil)
        #expect(buffer.readableBytes == 3)
    }

    @Test("A trailing NUL after a PORT_PLEASE2 name is dropped, as epmd does")
    func nulTerminatedName() throws {
        var buffer = T.buffer([0, 3, 122, 0x61, 0])
        #expect(try EPMDRequest.readFrame(from: &buffer) == .portPlease2(name: "a"))
    }

    @Test("An empty frame and an unknown tag are errors")
    func emptyAndUnknown() {
        #expect(throws: EPMDDecodingError.emptyRequest) {
            var buffer = T.buffer([0, 0])
            _ = try EPMDRequest.readFrame(from: &buffer)
        }
        for tag: UInt8 in [100, 107, 115, 0, 255, 118, 121] {
            #expect(throws: EPMDDecodingError.unknownRequest(tag: tag)) {
                var buffer = T.buffer([0, 1, tag])
                _ = try EPMDRequest.readFrame(from: &buffer)
            }
        }
    }

    @Test("An ALIVE2_REQ cut anywhere inside its frame is truncated, and the frame is consumed")
    func truncatedAlive2() throws {
        let body = Array(Self.alive2Frame.dropFirst(2))
        for length in 1..<body.count {
            var buffer = T.buffer([0, UInt8(length)] + body.prefix(length) + [0xEE])
            #expect(throws: EPMDDecodingError.self) { _ = try EPMDRequest.readFrame(from: &buffer) }
            let error = #expect(throws: EPMDDecodingError.self) {
                _ = try EPMDRequest(body: T.buffer(Array(body.prefix(length))))
            }
            guard case .truncated(message: "ALIVE2_REQ", field: _)? = error else {
                Issue.record("a \(length)-byte ALIVE2_REQ gave \(String(describing: error))")
                continue
            }
            #expect(buffer.readableBytes == 1)
        }
    }

    @Test("Lengths that point past the frame are truncation errors, never traps")
    func lyingLengths() {
        // The name length says 0xFFFF bytes; only one follows.
        #expect(throws: EPMDDecodingError.truncated(message: "ALIVE2_REQ", field: "node name")) {
            _ = try EPMDRequest(body: T.buffer([120, 0, 1, 77, 0, 0, 6, 0, 6, 0xFF, 0xFF, 0x61, 0, 0]))
        }
        // The extra length says 5 bytes; none follow.
        #expect(throws: EPMDDecodingError.truncated(message: "ALIVE2_REQ", field: "extra")) {
            _ = try EPMDRequest(body: T.buffer([120, 0, 1, 77, 0, 0, 6, 0, 6, 0, 1, 0x61, 0, 5]))
        }
    }

    @Test("Bytes after the last field, and names that are not UTF-8, are errors")
    func trailingAndInvalid() {
        #expect(throws: EPMDDecodingError.trailingBytes(message: "ALIVE2_REQ", count: 1)) {
            _ = try EPMDRequest(body: T.buffer(Array(Self.alive2Frame.dropFirst(2)) + [9]))
        }
        #expect(throws: EPMDDecodingError.trailingBytes(message: "NAMES_REQ", count: 2)) {
            _ = try EPMDRequest(body: T.buffer([110, 1, 2]))
        }
        #expect(throws: EPMDDecodingError.invalidUTF8(message: "ALIVE2_REQ", field: "node name")) {
            _ = try EPMDRequest(body: T.buffer([120, 0, 1, 77, 0, 0, 6, 0, 6, 0, 1, 0xC3, 0, 0]))
        }
        #expect(throws: EPMDDecodingError.invalidUTF8(message: "PORT_PLEASE2_REQ", field: "node name")) {
            _ = try EPMDRequest(body: T.buffer([122, 0x61, 0xFF]))
        }
    }

    @Test("Random bytes never trap the frame reader")
    func randomBytes() {
        var random = SplitMix64(seed: 0xE9D)
        for _ in 0..<5000 {
            let length = Int(random.next() % 40)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if bytes.count >= 2 {
                // Keep the frame length plausible so that the body decoders run.
                bytes[0] = 0
                bytes[1] = UInt8(truncatingIfNeeded: random.next() % UInt64(max(1, bytes.count - 1)))
                if bytes.count >= 3, random.next() % 2 == 0 { bytes[2] = [120, 122, 110][Int(random.next() % 3)] }
            }
            var buffer = T.buffer(bytes)
            for _ in 0..<4 {
                guard (try? EPMDRequest.readFrame(from: &buffer)) != nil else { break }
            }
        }
    }
}

/// Regression found by the distribution fuzzer.
@Suite("EPMD request regressions")
struct EPMDRequestRegressionTests {
    @Test("a PORT_PLEASE2 name holding NUL is refused (it could not round-trip)")
    func nulInName() throws {
        var body = ByteBuffer()
        body.writeBytes([122, 0, 0])
        #expect(throws: EPMDDecodingError.nulInName(message: "PORT_PLEASE2_REQ")) { try EPMDRequest(body: body) }
        var terminated = ByteBuffer()
        terminated.writeBytes([122, 97, 0])
        #expect(try EPMDRequest(body: terminated) == .portPlease2(name: "a"))
    }
}
