import Colony
import ErlangTerm
import Testing

@testable import ColonyGroups

/// global's connect protocol and locker, as pure state machines, on a simulated network with
/// seeded delivery orders: nodes joining at once, partitions with the same name registered on
/// both sides, heals. After each, every node of a side knows and is synced with the others, holds
/// the same names, and no name is left on a killed process.
@Suite("Groups: global protocol in simulation")
struct GlobalSimulationTests {
    static let seeds: [UInt64] = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89]

    @Test("5 nodes connecting all at once converge (fixed seeds)", arguments: seeds)
    func formation(seed: UInt64) {
        var sim = GlobalSimulation(nodes: 5, seed: seed)
        let pids = sim.nodes.map { sim.register(.atom(Atom("svc_\($0.name.prefix(2))")), owner: $0, side: [$0]) }
        sim.partition([sim.nodes])
        sim.run(until: .seconds(60))
        #expect(sim.problems(in: sim.nodes) == [], "seed \(seed)")
        for (node, pid) in zip(sim.nodes, pids) {
            #expect(sim.servers[sim.nodes[0]]!.table.whereis(.atom(Atom("svc_\(node.name.prefix(2))"))) == pid)
        }
    }

    @Test("a name taken on both sides of a partition has one owner after the heal (fixed seeds)", arguments: seeds)
    func partitionHeal(seed: UInt64) {
        var sim = GlobalSimulation(nodes: 5, seed: seed)
        sim.partition([sim.nodes])
        sim.run(until: .seconds(60))
        let left = Array(sim.nodes.prefix(2))
        let right = Array(sim.nodes.suffix(3))
        sim.partition([left, right])
        sim.run(until: .seconds(120))
        #expect(sim.problems(in: left) == [], "seed \(seed) left")
        #expect(sim.problems(in: right) == [], "seed \(seed) right")
        let first = sim.register("leader", owner: left[1], side: left)
        let second = sim.register("leader", owner: right[2], side: right)
        let onlyRight = sim.register("right_only", owner: right[0], side: right)
        sim.partition([sim.nodes])
        sim.run(until: .seconds(240))
        #expect(sim.problems(in: sim.nodes) == [], "seed \(seed)")
        // OTP's default keeps the process on the smaller node name and kills the other.
        let (keep, lose) = GlobalConflictResolution.ordered(first, second)
        for node in sim.nodes {
            #expect(sim.servers[node]!.table.whereis("leader") == keep, "seed \(seed) on \(node)")
            #expect(sim.servers[node]!.table.whereis("right_only") == onlyRight, "seed \(seed) on \(node)")
        }
        #expect(sim.killed == [lose])
    }

    @Test("one lost connection makes the others drop both of its ends (prevent overlapping partitions)")
    func overlappingPartitions() {
        var sim = GlobalSimulation(nodes: 4, seed: 7)
        sim.partition([sim.nodes])
        sim.run(until: .seconds(60))
        #expect(sim.problems(in: sim.nodes) == [])
        // Only n1–n2 breaks. Each end reports it (lost_connection); n3 and n4 each ask both ends
        // to drop them (remove_connection), as OTP's global does: no node is left half-connected.
        sim.disconnect(sim.nodes[0], sim.nodes[1])
        sim.run(until: .seconds(61))
        for other in sim.nodes.suffix(2) {
            #expect(!sim.isConnected(other, sim.nodes[0]) && !sim.isConnected(other, sim.nodes[1]))
        }
        #expect(sim.isConnected(sim.nodes[2], sim.nodes[3]))
        #expect(sim.servers[sim.nodes[2]]!.knownNodes == [sim.nodes[3]])
        #expect(sim.servers[sim.nodes[0]]!.knownNodes == [])
        #expect(sim.problems(in: Array(sim.nodes.suffix(2))) == [])
    }
}
