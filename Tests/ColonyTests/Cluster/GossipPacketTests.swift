import ColonyCluster
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// libcluster's Gossip heartbeat, byte for byte: vectors computed with OTP 25's `term_to_binary`
/// and `:crypto` exactly as libcluster 3.5 builds them, a real `erl` decrypting what Colony
/// encrypts, and garbage of every kind ignored.
@Suite("Cluster: gossip packets")
struct GossipPacketTests {
    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    static let plain = bytes("6865617274626561743a3a8374000000016400046e6f646564000b61403132372e302e302e31")
    static let encrypted = bytes(
        "000102030405060708090a0b0c0d0e0fa4858114bd9d1726ed914175230bd42df7905675741010c06dc6922598c6233396b9bd665a020e9e73e66370dcc50de5"
    )
    static let iv = Array(UInt8(0)...UInt8(15))

    @Test("the heartbeat of a@127.0.0.1 is libcluster's, plain and with a secret")
    func vectors() throws {
        #expect(try GossipPacket.encode(node: "a@127.0.0.1", secret: nil) == Self.plain)
        #expect(try GossipPacket.encode(node: "a@127.0.0.1", secret: "s3cret", iv: Self.iv) == Self.encrypted)
        #expect(GossipPacket.decode(Self.plain, secret: nil) == "a@127.0.0.1")
        #expect(GossipPacket.decode(Self.encrypted, secret: "s3cret") == "a@127.0.0.1")
        // OTP 26 and later write atoms as SMALL_ATOM_UTF8_EXT.
        let otp26 = Array("heartbeat::".utf8) + Self.bytes("83740000000177046e6f6465770b61403132372e302e302e31")
        #expect(GossipPacket.decode(otp26, secret: nil) == "a@127.0.0.1")
    }

    @Test("a random IV each time, and only the right secret opens it")
    func secrets() throws {
        let one = try GossipPacket.encode(node: "b@10.0.0.2", secret: "k")
        let two = try GossipPacket.encode(node: "b@10.0.0.2", secret: "k")
        #expect(one != two)
        #expect(GossipPacket.decode(one, secret: "k") == "b@10.0.0.2")
        #expect(GossipPacket.decode(one, secret: "other") == nil)
        #expect(GossipPacket.decode(one, secret: nil) == nil)
        #expect(GossipPacket.decode(Self.plain, secret: "k") == nil)
    }

    @Test("what is not exactly a heartbeat of a node name is ignored")
    func garbage() {
        let header = Array("heartbeat::".utf8) + [131, 116, 0, 0, 0, 1, 100, 0, 4] + Array("node".utf8)
        func atom(_ text: String) -> [UInt8] { [100, 0, UInt8(text.utf8.count)] + Array(text.utf8) }
        let cases: [[UInt8]] = [
            [],
            Array("heartbeat::".utf8),
            Array(Self.plain.dropLast()),
            Self.plain + [0],
            header + atom("no_at_sign"),
            header + atom("a@"),
            header + atom("bad name@h"),
            header + [100, 255, 255],
            Array("heartbeat::".utf8) + [131, 116, 0, 0, 0, 2] + atom("node") + atom("a@h") + atom("x") + atom("y"),
            Array("heartbeat::".utf8) + [131, 104, 1] + atom("a@h"),
            Array("heartbeat:x".utf8) + Self.plain.dropFirst(11),
        ]
        for bytes in cases { #expect(GossipPacket.decode(bytes, secret: nil) == nil, "\(bytes)") }
        let broken: [[UInt8]] = [
            Array(Self.encrypted.dropLast(1)), Array(Self.encrypted.prefix(16)), Self.encrypted + [1],
        ]
        for bytes in broken { #expect(GossipPacket.decode(bytes, secret: "s3cret") == nil) }
    }

    @Test("random bytes never crash the decoder (fixed seed)")
    func fuzz() {
        var random = SplitMix64(seed: 0x6055_1950)
        for round in 0..<5000 {
            let count = Int(random.next() % 96)
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if round % 2 == 0 { bytes = Array(Self.plain.prefix(Int(random.next() % 38))) + bytes }
            #expect(GossipPacket.decode(bytes, secret: nil) == nil || bytes.starts(with: Self.plain))
            _ = GossipPacket.decode(bytes, secret: "s3cret")
        }
    }

    @Test("a real erl decrypts Colony's heartbeat the way libcluster does", .timeLimit(.minutes(1)))
    func erlangDecrypts() async throws {
        guard let erl = ExternalProcess.find("erl") else {
            Issue.record("erl is not installed (scripts/test installs it)")
            return
        }
        let packet = try GossipPacket.encode(node: "c@192.168.1.7", secret: "shared")
        let hex = packet.map { String(format: "%02x", $0) }.joined()
        let program = """
            Bin = binary:decode_hex(<<"\(hex)">>),
            <<IV:16/binary, Cipher/binary>> = Bin,
            Key = crypto:hash(sha256, <<"shared">>),
            Padded = crypto:crypto_one_time(aes_256_cbc, Key, IV, Cipher, false),
            Pad = binary:last(Padded),
            Plain = binary:part(Padded, 0, byte_size(Padded) - Pad),
            <<"heartbeat::", Term/binary>> = Plain,
            #{node := Node} = binary_to_term(Term),
            io:format("~s~n", [Node]),
            halt().
            """
        let outcome = try await ExternalProcess.run(erl, ["-noshell", "-eval", program], timeout: .seconds(30))
        #expect(
            outcome.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "c@192.168.1.7",
            "\(outcome.standardOutput) \(outcome.standardError)")
    }
}
