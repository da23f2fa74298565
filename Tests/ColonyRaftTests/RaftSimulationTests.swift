import ColonyTestSupport
import Foundation
import Testing

@testable import ColonyRaft

/// Raft under faults, on fixed seeds: safety is checked on every step (one leader per term,
/// one entry per applied index, stored logs without gaps), and at the end every live server
/// applied the same commands and no acknowledged command is lost.
@Suite("Raft simulation")
struct RaftSimulationTests {
    static let fast = RaftSettings(
        electionTimeout: .milliseconds(100), heartbeatInterval: .milliseconds(20), maxEntriesPerAppend: 8,
        maxInflightAppends: 4)

    @Test("three servers elect one leader and replicate", arguments: [3, 5])
    func electsAndReplicates(count: Int) {
        var simulation = RaftSimulation(servers: count, seed: 1, settings: Self.fast)
        simulation.run(for: .milliseconds(500))
        #expect(simulation.leaders.count == 1)
        for _ in 0..<50 { simulation.proposeSomewhere() }
        simulation.run(for: .milliseconds(500))
        #expect(simulation.acknowledged.count == 50)
        #expect(simulation.finalViolations().isEmpty, "\(simulation.finalViolations())")
        for name in simulation.names {
            #expect(simulation.machines[name]!.count == 50)
        }
    }

    /// A random schedule of loss, duplication, delay, partitions, crashes and restarts, with
    /// snapshots, then a heal and a quiet period.
    static func chaos(servers count: Int, seed: UInt64) -> RaftSimulation {
        var simulation = RaftSimulation(servers: count, seed: seed, settings: fast)
        simulation.lossPercent = 5
        simulation.duplicatePercent = 5
        simulation.maxDelayMilliseconds = 15
        simulation.snapshotEvery = 25
        var random = SplitMix64(seed: seed ^ 0xC0FFEE)
        for _ in 0..<80 {
            for _ in 0..<random.next(below: 6) { simulation.proposeSomewhere() }
            let leader = simulation.leaders.randomElement(using: &random)
            switch random.next(below: 12) {
            case 0, 1:
                simulation.crash(leader ?? simulation.names[random.next(below: count)])
            case 2:
                simulation.crash(simulation.names[random.next(below: count)])
            case 3, 4:
                for name in simulation.names { simulation.restart(name) }
            case 5:
                var shuffled = simulation.names
                shuffled.shuffle(using: &random)
                let cut = 1 + random.next(below: count - 1)
                simulation.partition([Array(shuffled[..<cut]), Array(shuffled[cut...])])
            case 6:
                // The leader, with at most one other server, cut off from the rest.
                guard let leader else { break }
                var others = simulation.names.filter { $0 != leader }
                others.shuffle(using: &random)
                let companions = Array(others.prefix(random.next(below: 2)))
                simulation.partition([[leader] + companions, Array(others.dropFirst(companions.count))])
            case 7:
                simulation.heal()
            default:
                break
            }
            simulation.run(for: .milliseconds(5 + random.next(below: 60)))
        }
        simulation.heal()
        for name in simulation.names { simulation.restart(name) }
        simulation.lossPercent = 0
        simulation.duplicatePercent = 0
        simulation.run(for: .milliseconds(1500))
        // Something commits after the heal, which brings every server to the end of the log.
        simulation.proposeSomewhere()
        simulation.run(for: .milliseconds(1000))
        return simulation
    }

    @Test("safety and no lost acknowledged command under chaos, 3 servers", arguments: Array(UInt64(1)...20))
    func chaosThree(seed: UInt64) {
        let simulation = Self.chaos(servers: 3, seed: seed)
        #expect(simulation.finalViolations().isEmpty, "seed \(seed): \(simulation.finalViolations())")
        #expect(simulation.acknowledged.count > 0, "seed \(seed): nothing was acknowledged")
        #expect(simulation.leaders.count == 1, "seed \(seed): leaders \(simulation.leaders)")
    }

    @Test("safety and no lost acknowledged command under chaos, 5 servers", arguments: Array(UInt64(101)...115))
    func chaosFive(seed: UInt64) {
        let simulation = Self.chaos(servers: 5, seed: seed)
        #expect(simulation.finalViolations().isEmpty, "seed \(seed): \(simulation.finalViolations())")
        #expect(simulation.acknowledged.count > 0, "seed \(seed): nothing was acknowledged")
        #expect(simulation.leaders.count == 1, "seed \(seed): leaders \(simulation.leaders)")
    }

    /// More seeds than the suite runs: `scripts/raft-chaos` sets `COLONY_RAFT_CHAOS_SEEDS`.
    @Test(
        "chaos on many seeds (scripts/raft-chaos)",
        .enabled(if: ProcessInfo.processInfo.environment["COLONY_RAFT_CHAOS_SEEDS"] != nil))
    func longChaos() {
        let count = Int(ProcessInfo.processInfo.environment["COLONY_RAFT_CHAOS_SEEDS"] ?? "") ?? 0
        let first = UInt64(ProcessInfo.processInfo.environment["COLONY_RAFT_CHAOS_FIRST"] ?? "") ?? 10_000
        for seed in first..<first + UInt64(count) {
            let servers = seed % 2 == 0 ? 5 : 3
            let simulation = Self.chaos(servers: servers, seed: seed)
            #expect(simulation.finalViolations().isEmpty, "seed \(seed): \(simulation.finalViolations())")
            #expect(simulation.leaders.count == 1, "seed \(seed): leaders \(simulation.leaders)")
        }
    }
}
