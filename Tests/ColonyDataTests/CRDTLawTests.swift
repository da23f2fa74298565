import Colony
import ErlangTerm
import PropertyBased
import Testing

@testable import ColonyData

/// Random histories of each type on three replicas that update and exchange deltas out of order;
/// the merge laws and the delta laws must hold on every one.
@Suite("CRDT merge and delta laws")
struct CRDTLawTests {
    static let seeds = Gen.int(in: 0...Int.max)
    static let replicas = (0..<3).map { ReplicaID(node: "n\($0)@host", incarnation: 7) }

    /// A logical clock, so registers order writes without the wall clock.
    static func tick<V>() -> LWWRegister<V>.Clock { { current, _ in current == .min ? 1 : current + 1 } }

    /// A history: each step a replica either mutates (recording the delta) or merges a random
    /// earlier delta (out of order, possibly again).
    struct History<T: ReplicatedData> {
        var states: [T]
        var deltas: [T] = []

        init(seed: Int, steps: Int, mutations: [(inout T, ReplicaID, inout SeededRandom) -> T]) {
            var random = SeededRandom(seed: UInt64(seed))
            states = Array(repeating: T(), count: CRDTLawTests.replicas.count)
            for _ in 0..<steps {
                let r = Int.random(in: 0..<states.count, using: &random)
                if deltas.isEmpty || Bool.random(using: &random) {
                    let mutation = mutations[Int.random(in: 0..<mutations.count, using: &random)]
                    deltas.append(mutation(&states[r], CRDTLawTests.replicas[r], &random))
                } else {
                    states[r].merge(deltas[Int.random(in: 0..<deltas.count, using: &random)])
                }
            }
        }
    }

    static func checkLaws<T: ReplicatedData>(
        _ seed: Int, _ mutations: [(inout T, ReplicaID, inout SeededRandom) -> T]
    ) throws {
        let history = History<T>(seed: seed, steps: 40, mutations: mutations)
        let (a, b, c) = (history.states[0], history.states[1], history.states[2])
        #expect(a.merging(b) == b.merging(a), "commutative")
        #expect(a.merging(b).merging(c) == a.merging(b.merging(c)), "associative")
        #expect(a.merging(a) == a, "idempotent")
        #expect(a.merging(T()) == a, "the empty value is the identity")

        // Every delta, shuffled and partly duplicated, joins to what the states join to.
        var random = SeededRandom(seed: UInt64(seed) &+ 1)
        var shuffled = history.deltas + history.deltas.filter { _ in Bool.random(using: &random) }
        shuffled.shuffle(using: &random)
        let full = a.merging(b).merging(c)
        let fromDeltas = shuffled.reduce(into: T()) { $0.merge($1) }
        #expect(fromDeltas == full, "deltas in any order and duplication equal the full state")
        // Each replica that gets every delta (in its own order) converges too.
        for state in history.states {
            var caught = state
            for delta in history.deltas.shuffled(using: &random) { caught.merge(delta) }
            #expect(caught == full)
        }

        // Cut into parts, it transfers completely.
        let parts = full.parts
        var split: [Set<T.Part>] = [[], []]
        for part in parts { split[Bool.random(using: &random) ? 0 : 1].insert(part) }
        #expect(full.restricted(to: split[0]).merging(full.restricted(to: split[1])) == full)

        // Survives the wire.
        let term = try TermEncoder().encode(full)
        let bytes = try ETF.encode(term)
        #expect(try TermDecoder().decode(T.self, from: ETF.decode(bytes)) == full)
    }

    @Test("GCounter")
    func gCounter() async {
        await propertyCheck(count: 200, input: Self.seeds) { seed in
            try Self.checkLaws(
                seed, [{ (v: inout GCounter, r, g) in v.increment(by: UInt64.random(in: 1...5, using: &g), at: r) }])
        }
    }

    @Test("PNCounter")
    func pnCounter() async {
        await propertyCheck(count: 200, input: Self.seeds) { seed in
            try Self.checkLaws(
                seed, [{ (v: inout PNCounter, r, g) in v.increment(by: Int64.random(in: -5...5, using: &g), at: r) }])
        }
    }

    @Test("GSet and TwoPhaseSet")
    func growOnlySets() async {
        await propertyCheck(count: 200, input: Self.seeds) { seed in
            try Self.checkLaws(seed, [{ (v: inout GSet<Int>, _, g) in v.insert(Int.random(in: 0..<6, using: &g)) }])
            try Self.checkLaws(
                seed,
                [
                    { (v: inout TwoPhaseSet<String>, _, g) in v.insert("e\(Int.random(in: 0..<6, using: &g))") },
                    { v, _, g in v.remove("e\(Int.random(in: 0..<6, using: &g))") },
                ])
        }
    }

    @Test("ORSet")
    func orSet() async {
        await propertyCheck(count: 300, input: Self.seeds) { seed in
            try Self.checkLaws(
                seed,
                [
                    { (v: inout ORSet<Int>, r, g) in v.insert(Int.random(in: 0..<5, using: &g), at: r) },
                    { v, _, g in v.remove(Int.random(in: 0..<5, using: &g)) },
                ])
        }
    }

    @Test("LWWRegister, MVRegister and Flag")
    func registers() async {
        await propertyCheck(count: 200, input: Self.seeds) { seed in
            try Self.checkLaws(
                seed,
                [
                    { (v: inout LWWRegister<Int>, r, g) in
                        v.set(Int.random(in: 0..<9, using: &g), at: r, clock: Self.tick())
                    }
                ])
            try Self.checkLaws(
                seed,
                [
                    { (v: inout MVRegister<String>, r, g) in v.set("v\(Int.random(in: 0..<9, using: &g))", at: r) },
                    { v, _, _ in v.clear() },
                ])
            try Self.checkLaws(seed, [{ (v: inout Flag, _, _) in v.enable() }])
        }
    }

    @Test("ORMap, LWWMap and PNCounterMap")
    func maps() async {
        await propertyCheck(count: 300, input: Self.seeds) { seed in
            try Self.checkLaws(
                seed,
                [
                    { (v: inout ORMap<String, ORSet<Int>>, r, g) in
                        let element = Int.random(in: 0..<3, using: &g)
                        return v.update("k\(Int.random(in: 0..<4, using: &g))", at: r) { $0.insert(element, at: r) }
                    },
                    { v, _, g in v.removeValue(forKey: "k\(Int.random(in: 0..<4, using: &g))") },
                ])
            try Self.checkLaws(
                seed,
                [
                    { (v: inout LWWMap<String, Int>, r, g) in
                        v.put(
                            "k\(Int.random(in: 0..<4, using: &g))", Int.random(in: 0..<9, using: &g), at: r,
                            clock: Self.tick())
                    },
                    { v, _, g in v.removeValue(forKey: "k\(Int.random(in: 0..<4, using: &g))") },
                ])
            try Self.checkLaws(
                seed,
                [
                    { (v: inout PNCounterMap<String>, r, g) in
                        v.increment(
                            "k\(Int.random(in: 0..<4, using: &g))", by: Int64.random(in: -3...3, using: &g), at: r)
                    },
                    { v, _, g in v.removeValue(forKey: "k\(Int.random(in: 0..<4, using: &g))") },
                ])
        }
    }
}
