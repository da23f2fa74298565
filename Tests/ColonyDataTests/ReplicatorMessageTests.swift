import Colony
import ErlangTerm
import Testing

@testable import ColonyData

/// The replicator's wire: every message survives ETF both ways, a malformed one is refused, and
/// the anti-entropy exchange (digests, fetch, parts) is refused or answered sensibly when a peer
/// sends nonsense.
@Suite("Replicator messages")
struct ReplicatorMessageTests {
    static let digest = PartDigest(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C_0D0E_0F10)

    @Test("every message round-trips through the external term format")
    func roundTrip() throws {
        let parts = [PartDigestEntry(part: .binary(Array("k1".utf8)), digest: Self.digest)]
        let messages: [ReplicatorMessage] = [
            .hello(from: "a@h", incarnation: 7, answer: true),
            .deltas(from: "a@h", [WireEntry(key: "k", content: .deleted)]),
            .pull(from: "a@h", incarnation: 7, watermark: 42),
            .digests(
                from: "a@h", incarnation: 7, through: 42, done: false,
                [
                    DigestEntry(key: "m", content: .parts(type: "T", parts)),
                    DigestEntry(key: "gone", content: .deleted), DigestEntry(key: "x", content: .absent),
                ]),
            .fetch(from: "b@h", incarnation: 7, through: 42, done: true, [PartRequest(key: "m", parts: [.integer(3)])]),
            .changes(
                from: "a@h", incarnation: 7, through: 42, done: true,
                [WireEntry(key: "m", content: .value(type: "T", state: .integer(1)))]),
            .write(id: 1, from: "a@h", WireEntry(key: "k", content: .absent)),
            .writeAck(id: 1, from: "b@h"),
            .read(id: 2, from: "a@h", key: "k"),
            .readReply(id: 2, from: "b@h", WireEntry(key: "k", content: .absent)),
        ]
        for message in messages {
            let decoded = ReplicatorMessage(try ETF.decode(try ETF.encode(message.term)))
            #expect(decoded == message)
        }
        #expect(PartDigest(bytes: Self.digest.bytes) == Self.digest)
    }

    @Test("malformed anti-entropy messages are refused")
    func malformed() {
        let tag: Term = "colony_ddata"
        let shortDigest: Term = .tuple([
            .string("m"), .string("T"), .list([.tuple([.integer(1), .binary([1, 2, 3])])]),
        ])
        let cases: [Term] = [
            .tuple([tag, "digests", "a@h", .integer(1), .integer(2), "true", .list([shortDigest])]),
            .tuple([tag, "digests", "a@h", .integer(1), .integer(-2), "true", .list([])]),
            .tuple([tag, "fetch", "a@h", .integer(1), .integer(2), "maybe", .list([])]),
            .tuple([
                tag, "fetch", "a@h", .integer(1), .integer(2), "true", .list([.tuple([.string("k"), .integer(1)])]),
            ]),
            .tuple([tag, "changes", "a@h", .integer(1), .integer(2), "true", .integer(0)]),
        ]
        for term in cases { #expect(ReplicatorMessage(term) == nil, "\(term)") }
    }

    @Test("a fetch naming parts that do not decode is answered with a warning, not a crash")
    func fetchOfBadParts() throws {
        var state = ReplicatorState(me: "a@h", incarnation: 5, settings: ReplicatorSettings(), seed: 1)
        let map = DataKey<LWWMap<String, Int>>("m")
        try state.update(map) { $0.put("k", 1, at: $1) }
        let fetch = ReplicatorMessage.fetch(
            from: "b@h", incarnation: 5, through: 1, done: true, [PartRequest(key: "m", parts: [.tuple([])])])
        let effects = state.receive(fetch.term)
        #expect(effects.contains { if case .warning = $0 { true } else { false } })
        #expect(
            effects.contains {
                if case .send(.changes(_, _, 1, true, let wire), "b@h") = $0 { wire.isEmpty } else { false }
            })
    }

    @Test("digests of a peer compare against the parts here: only a differing or missing part is fetched")
    func digestsCompare() throws {
        var a = ReplicatorState(me: "a@h", incarnation: 1, settings: ReplicatorSettings(), seed: 1)
        var b = ReplicatorState(me: "b@h", incarnation: 2, settings: ReplicatorSettings(), seed: 2)
        let map = DataKey<LWWMap<String, Int>>("m")
        for key in ["same", "differs", "only_a"] { try a.update(map) { $0.put(key, 1, at: $1) } }
        _ = b.receive(ReplicatorMessage.hello(from: "a@h", incarnation: 1, answer: true).term)

        // b holds nothing: every part a offers is fetched.
        var offer = try Self.digests(of: &a, after: 0)
        guard case .parts(_, let all) = try #require(offer.entries.first).content else {
            Issue.record("no parts")
            return
        }
        #expect(all.count == 3)
        #expect(try Self.exchange(&a, &b, offer).first?.parts.count == 3)
        #expect(try b.value(map) == a.value(map))

        // a changes one key: its next digests differ in that part only.
        try a.update(map) { $0.put("differs", 2, at: $1) }
        offer = try Self.digests(of: &a, after: 3)
        #expect(try Self.exchange(&a, &b, offer) == [PartRequest(key: "m", parts: [.binary(Array("differs".utf8))])])
        #expect(try b.value(map) == a.value(map))

        // Every digest equal to what b holds: nothing is fetched, and the pull is complete.
        offer = try Self.digests(of: &a, after: 0)
        #expect(try Self.exchange(&a, &b, offer).isEmpty)
        #expect(b.peers["a@h"]?.watermark == offer.through)
    }

    /// `state`'s answer to b's pull after `watermark`.
    static func digests(of state: inout ReplicatorState, after watermark: UInt64) throws -> (
        entries: [DigestEntry], through: UInt64
    ) {
        let effects = state.receive(ReplicatorMessage.pull(from: "b@h", incarnation: 1, watermark: watermark).term)
        guard case .send(.digests(_, _, let through, _, let entries), "b@h") = try #require(effects.first) else {
            throw ExchangeError.unexpected(effects)
        }
        return (entries, through)
    }

    /// b compares a's digests, fetches what differs and merges a's answer; returns what it
    /// fetched (nothing when the pull completed at once).
    static func exchange(
        _ a: inout ReplicatorState, _ b: inout ReplicatorState, _ offer: (entries: [DigestEntry], through: UInt64)
    ) throws -> [PartRequest] {
        let compared = b.receive(
            ReplicatorMessage.digests(from: "a@h", incarnation: 1, through: offer.through, done: true, offer.entries)
                .term)
        if compared.isEmpty { return [] }
        guard case .send(.fetch(_, _, _, _, let requests), "a@h") = compared[0] else {
            throw ExchangeError.unexpected(compared)
        }
        let answer = a.receive(
            ReplicatorMessage.fetch(from: "b@h", incarnation: 1, through: offer.through, done: true, requests).term)
        guard case .send(let parts, "b@h") = try #require(answer.first) else { throw ExchangeError.unexpected(answer) }
        #expect(b.receive(parts.term).allSatisfy { if case .changed = $0 { true } else { false } })
        return requests
    }

    enum ExchangeError: Error {
        case unexpected([ReplicatorState.Effect])
    }
}

extension ReplicatorMessageTests {
    @Test("a peer's new life voids its earlier life's fetch and answers; the others' answers go on")
    func peerRestartDuringFetch() throws {
        var a = ReplicatorState(me: "a@h", incarnation: 1, settings: ReplicatorSettings(), seed: 1)
        let map = DataKey<LWWMap<String, Int>>("m")
        _ = a.receive(ReplicatorMessage.hello(from: "b@h", incarnation: 20, answer: true).term)
        _ = a.receive(ReplicatorMessage.hello(from: "c@h", incarnation: 30, answer: true).term)
        var b = ReplicatorState(me: "b@h", incarnation: 20, settings: ReplicatorSettings(), seed: 2)
        var c = ReplicatorState(me: "c@h", incarnation: 30, settings: ReplicatorSettings(), seed: 3)
        try b.update(map) { $0.put("from_b", 1, at: $1) }
        try c.update(map) { $0.put("from_c", 2, at: $1) }
        func offer(_ state: inout ReplicatorState, _ me: Atom, _ incarnation: UInt64) -> ReplicatorMessage? {
            let effects = state.receive(
                ReplicatorMessage.pull(from: "a@h", incarnation: incarnation, watermark: 0).term)
            guard case .send(let message, "a@h") = effects.first else { return nil }
            return message
        }
        // b's answer starts a fetch from b; c's answer waits behind it.
        let fromB = try #require(offer(&b, "b@h", 20))
        #expect(a.receive(fromB.term).contains { if case .send(.fetch, "b@h") = $0 { true } else { false } })
        let fromC = try #require(offer(&c, "c@h", 30))
        #expect(a.receive(fromC.term).isEmpty)

        // b comes back as a new life: the fetch from b is void, c's answer is looked at at once,
        // and b is pulled from zero.
        let restarted = a.receive(ReplicatorMessage.hello(from: "b@h", incarnation: 21, answer: false).term)
        #expect(restarted.contains { if case .send(.fetch, "c@h") = $0 { true } else { false } })
        #expect(
            restarted.contains {
                if case .send(.pull(_, 21, 0), "b@h") = $0 { true } else { false }
            })
        // An answer of b's earlier life arriving late is ignored.
        #expect(a.receive(fromB.term).isEmpty)
    }
}
