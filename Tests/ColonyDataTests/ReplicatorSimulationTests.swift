import Colony
import ErlangTerm
import Testing

@testable import ColonyData

/// The replicator's protocol on a simulated network, fixed seeds: updates on every node while
/// messages are lost, reordered and partitions come and go; after the heal every node holds the
/// same values, and they are the values every update adds up to.
@Suite("Replicator protocol in simulation")
struct ReplicatorSimulationTests {
    static let counter = DataKey<PNCounter>("counter")
    static let set = DataKey<ORSet<Int>>("set")
    static let seeds: [UInt64] = [1, 2, 3, 5, 8, 13, 21, 34]

    @Test("concurrent updates, loss and partitions converge to the sum and the expected set", arguments: seeds)
    func converges(seed: UInt64) {
        for size in [3, 5] {
            var sim = ReplicatorSimulation(nodes: size, seed: seed)
            sim.lossPercent = 20
            var total: Int64 = 0
            var reference = ORSet<Int>()
            var random = SeededRandom(seed: seed ^ 0xDA7A)
            for step in 0..<600 {
                let node = sim.names[Int.random(in: 0..<size, using: &random)]
                switch Int.random(in: 0..<10, using: &random) {
                case 0...2:
                    let amount = Int64.random(in: -3...5, using: &random)
                    total += amount
                    sim.update(node, Self.counter) { $0.increment(by: amount, at: $1) }
                case 3...4:
                    let element = Int.random(in: 0..<8, using: &random)
                    var delta = ORSet<Int>()
                    sim.update(node, Self.set) { value, replica in
                        delta = Bool.random(using: &random) ? value.insert(element, at: replica) : value.remove(element)
                        return delta
                    }
                    reference.merge(delta)
                case 5: sim.flush(node)
                case 6: sim.tick(node)
                default: sim.deliverOne()
                }
                if step == 150 {
                    sim.partition([Array(sim.names.prefix(size / 2)), Array(sim.names.dropFirst(size / 2))])
                }
                if step == 400 { sim.heal() }
                if step == 450 { sim.partition([[sim.names[0]], Array(sim.names.dropFirst())]) }
            }
            sim.heal()
            sim.settle()
            for name in sim.names {
                #expect(sim.value(name, Self.counter)?.value ?? 0 == total, "seed \(seed), \(size) nodes, \(name)")
                #expect(
                    (sim.value(name, Self.set) ?? ORSet()) == reference,
                    "seed \(seed), \(size) nodes, \(name)")
            }
        }
    }

    @Test("a node that missed 1% of a 4,000-entry map's updates is sent about that 1%")
    func catchUpSendsWhatChanged() {
        let map = DataKey<LWWMap<String, Int>>("map")
        var sim = ReplicatorSimulation(nodes: 3, seed: 99)
        let (a, c) = (sim.names[0], sim.names[2])
        for i in 0..<4_000 { sim.update(a, map) { $0.put("key\(i)", i, at: $1) } }
        sim.settle()
        let fullTransfer = sim.transferBytes[c, default: 0]
        #expect(sim.value(c, map)?.count == 4_000)
        #expect(fullTransfer > 0)

        sim.partition([[sim.names[0], sim.names[1]], [c]])
        for i in stride(from: 0, to: 4_000, by: 100) { sim.update(a, map) { $0.put("key\(i)", -i, at: $1) } }
        sim.settle()
        sim.transferBytes = [:]
        sim.heal()
        sim.settle()
        let catchUp = sim.transferBytes[c, default: 0]
        #expect(sim.value(c, map) == sim.value(a, map))
        #expect(sim.value(c, map)?["key500"] == -500)
        // Two peers offer digests of the 100 changed entries and one of them sends their states:
        // about 2% of one full transfer, and far below the whole map.
        #expect(catchUp < fullTransfer / 30, "catch-up \(catchUp) bytes, full transfer \(fullTransfer) bytes")
    }

    @Test("a node that joins empty is sent each part of a 2,000-entry map once, by one of its three peers")
    func joinSendsEachPartOnce() throws {
        let map = DataKey<LWWMap<String, Int>>("map")
        var sim = ReplicatorSimulation(nodes: 4, seed: 5)
        let (a, b, d) = (sim.names[0], sim.names[1], sim.names[3])
        sim.partition([Array(sim.names.prefix(3)), [d]])
        for i in 0..<2_000 { sim.update(i.isMultiple(of: 2) ? a : b, map) { $0.put("key\(i)", i, at: $1) } }
        sim.settle()
        let copy = try ETF.encode(try DataCoding.encoder.encode(try #require(sim.value(a, map)))).count
        let fetchedBefore = sim.names.reduce(0) { $0 + sim.nodes[$1]!.statistics.partsFetched }
        sim.transferBytes = [:]
        sim.heal()
        sim.settle(rounds: 5)
        #expect(sim.value(d, map) == sim.value(a, map))
        #expect(sim.value(d, map)?.count == 2_000)
        let fetched = sim.names.reduce(0) { $0 + sim.nodes[$1]!.statistics.partsFetched } - fetchedBefore
        // Every part crosses once as a state; the rest is digests (three peers offer theirs to d,
        // and d offers its own back to each of them, where they match and nothing more moves).
        #expect(fetched == 2_000, "parts fetched: \(fetched)")
        let total = sim.totalTransferBytes
        #expect(total < 3 * copy, "the join moved \(total) bytes, one copy is \(copy) bytes")
    }

    @Test("deletion spreads and wins; reads and writes at majority count replicas")
    func deleteAndConsistency() {
        var sim = ReplicatorSimulation(nodes: 3, seed: 7)
        let (a, b) = (sim.names[0], sim.names[1])
        sim.update(a, Self.counter) { $0.increment(by: 1, at: $1) }
        sim.settle()
        _ = sim.nodes[b]!.delete(Self.counter.id)
        sim.update(a, Self.counter) { $0.increment(by: 1, at: $1) }
        sim.settle()
        for name in sim.names {
            #expect(throws: ReplicatorError.deleted(key: "counter")) { try sim.nodes[name]!.value(Self.counter) }
        }

        // A majority write with one peer cut off needs 2 of 3: it completes with the other peer.
        sim.partition([[sim.names[0], sim.names[1]], [sim.names[2]]])
        let entry = WireEntry(key: "k", content: .absent)
        var effects = sim.nodes[a]!.startWrite(id: 1, entry: entry, level: .majority)
        #expect(effects.count == 1)
        sim.perform(a, effects)
        var completed: [ReplicatorState.Effect] = []
        while !sim.network.isEmpty {
            let message = sim.network.removeFirst()
            let out = sim.nodes[message.to]!.receive(try! ETF.decode(message.bytes))
            completed += out.filter { if case .completed = $0 { true } else { false } }
            sim.perform(message.to, out)
        }
        #expect(completed == [.completed(id: 1, nil)])
        // `all` needs the cut-off node: refused at once, not after a timeout.
        effects = sim.nodes[a]!.startWrite(id: 2, entry: entry, level: .all)
        #expect(effects == [.completed(id: 2, .unreachable(key: "k", connected: 2, needed: 3))])
    }
}
