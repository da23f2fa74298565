import ColonyCluster
import ColonyTestSupport
import Testing

/// The DNS codec discovery uses: the query's bytes, answers with compressed names, and every
/// malformed response rejected with an error (bounded, fuzzed), never a crash.
@Suite("Cluster: DNS messages")
struct DNSMessageTests {
    @Test("a query for A records has RFC 1035's layout")
    func query() throws {
        let bytes = try DNSMessage.query(id: 0x1234, name: "peers.test", type: .a)
        #expect(
            bytes == [
                0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1, 5, 112, 101, 101, 114, 115, 4, 116, 101, 115, 116, 0,
                0, 1, 0, 1, 0, 0, 41, 0x10, 0x00, 0, 0, 0, 0, 0, 0,
            ])
        #expect(throws: DNSError.self) { try DNSMessage.query(id: 1, name: "", type: .a) }
        #expect(throws: DNSError.self) {
            try DNSMessage.query(id: 1, name: String(repeating: "x", count: 64) + ".test", type: .a)
        }
    }

    /// A response to `peers.test` with the given answers (names compressed to the question's).
    static func response(id: UInt16 = 7, code: UInt8 = 0, answers: [[UInt8]]) -> [UInt8] {
        var bytes: [UInt8] = [
            UInt8(id >> 8), UInt8(id & 0xFF), 0x81, 0x80 | code, 0, 1, 0, UInt8(answers.count), 0, 0, 0, 0,
        ]
        bytes += [5] + Array("peers".utf8) + [4] + Array("test".utf8) + [0, 0, 1, 0, 1]
        for answer in answers { bytes += answer }
        return bytes
    }

    static func aRecord(_ address: [UInt8]) -> [UInt8] {
        [0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4] + address
    }

    @Test("A and SRV answers, with compressed names; other types skipped; NXDOMAIN is no answers")
    func answers() throws {
        let srvData: [UInt8] = [0, 10, 0, 5, 0x11, 0x5C] + [4] + Array("pod0".utf8) + [0xC0, 12]
        let srv: [UInt8] = [0xC0, 12, 0, 33, 0, 1, 0, 0, 0, 60, 0, UInt8(srvData.count)] + srvData
        let txt: [UInt8] = [0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, 3, 2, 104, 105]
        let records = try DNSMessage.answers(
            Self.response(answers: [Self.aRecord([127, 0, 0, 2]), txt, Self.aRecord([10, 1, 2, 3]), srv]), id: 7)
        #expect(
            records == [
                .a(name: "peers.test", address: "127.0.0.2"), .a(name: "peers.test", address: "10.1.2.3"),
                .srv(name: "peers.test", priority: 10, weight: 5, port: 4444, target: "pod0.peers.test"),
            ])
        #expect(try DNSMessage.answers(Self.response(code: 3, answers: []), id: 7).isEmpty)
        let nodes = DNSPollStrategy.nodes(from: records, basename: "colony")
        #expect(nodes == ["colony@127.0.0.2", "colony@10.1.2.3", "colony@pod0.peers.test"])
    }

    @Test("malformed responses are errors")
    func malformed() {
        let good = Self.response(answers: [Self.aRecord([127, 0, 0, 2])])
        #expect(throws: DNSError.mismatchedID) { try DNSMessage.answers(good, id: 8) }
        #expect(throws: DNSError.serverError(2)) { try DNSMessage.answers(Self.response(code: 2, answers: []), id: 7) }
        var query = good
        query[2] = 0x01
        #expect(throws: DNSError.notAResponse) { try DNSMessage.answers(query, id: 7) }
        var truncated = good
        truncated[2] |= 0x02
        #expect(throws: DNSError.truncated) { try DNSMessage.answers(truncated, id: 7) }
        for cut in 0..<good.count {
            #expect(throws: DNSError.self) { try DNSMessage.answers(Array(good.prefix(cut)), id: 7) }
        }
        // A pointer to itself, and one forwards.
        let loop: [UInt8] = [0xC0, 29, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4]
        #expect(throws: DNSError.self) { try DNSMessage.answers(Self.response(answers: [loop]), id: 7) }
        let forward: [UInt8] = [0xC0, 200, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4]
        #expect(throws: DNSError.self) { try DNSMessage.answers(Self.response(answers: [forward]), id: 7) }
        let shortA: [UInt8] = [0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 3, 1, 2, 3]
        #expect(throws: DNSError.badRecord) { try DNSMessage.answers(Self.response(answers: [shortA]), id: 7) }
    }

    @Test("random and mutated responses never crash the reader (fixed seed)")
    func fuzz() {
        var random = SplitMix64(seed: 0xD45)
        let good = Self.response(answers: [Self.aRecord([127, 0, 0, 2]), Self.aRecord([127, 0, 0, 3])])
        for round in 0..<5000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = good
                for _ in 0..<(1 + Int(random.next() % 4)) {
                    bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
                }
            } else {
                bytes = (0..<Int(random.next() % 80)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            }
            _ = try? DNSMessage.answers(bytes, id: UInt16(bytes.count > 1 ? Int(bytes[0]) << 8 | Int(bytes[1]) : 0))
        }
    }
}
