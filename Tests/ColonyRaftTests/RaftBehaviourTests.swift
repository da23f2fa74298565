import ColonyTestSupport
import Testing

@testable import ColonyRaft

/// The mechanisms one at a time, on a quiet simulated network.
@Suite("Raft behaviour")
struct RaftBehaviourTests {
    static let settings = RaftSimulationTests.fast

    static func elected(_ count: Int, seed: UInt64 = 7) -> RaftSimulation {
        var simulation = RaftSimulation(servers: count, seed: seed, settings: settings)
        simulation.run(for: .milliseconds(600))
        return simulation
    }

    @Test("a server cut off and back does not depose the leader (pre-vote)")
    func preVoteKeepsLeader() throws {
        var simulation = Self.elected(3)
        let leader = try #require(simulation.leaders.first)
        let term = simulation.servers[leader]!.term
        let loner = simulation.names.first { $0 != leader }!
        simulation.partition([[loner], simulation.names.filter { $0 != loner }])
        simulation.run(for: .milliseconds(1000))
        // Without pre-vote the loner would have raised its term many times.
        #expect(simulation.servers[loner]!.term == term)
        simulation.heal()
        simulation.run(for: .milliseconds(500))
        #expect(simulation.leaders == [leader])
        #expect(simulation.servers[leader]!.term == term)
    }

    @Test("a leader in the minority steps down within two election timeouts; the majority elects")
    func minorityLeaderStepsDown() throws {
        var simulation = Self.elected(5)
        let leader = try #require(simulation.leaders.first)
        let others = simulation.names.filter { $0 != leader }
        simulation.partition([[leader, others[0]], Array(others[1...])])
        simulation.run(for: .milliseconds(250))
        #expect(simulation.servers[leader]!.role != .leader)
        #expect(simulation.leaders.count == 1)
        #expect(Array(others[1...]).contains(simulation.leaders[0]))
        // The old leader refuses proposals now.
        let result = simulation.servers[leader]!.propose([1], now: simulation.now)
        #expect(result != .accepted(index: 0, term: 0))
        guard case .rejected(.notLeader) = result else {
            Issue.record("expected notLeader, got \(result)")
            return
        }
    }

    @Test("leadership moves to the server asked for")
    func transfer() throws {
        var simulation = Self.elected(3)
        let leader = try #require(simulation.leaders.first)
        for _ in 0..<10 { simulation.proposeSomewhere() }
        let target = simulation.names.first { $0 != leader }!
        let started = simulation.servers[leader]!.transferLeadership(to: target, now: simulation.now)
        #expect(started)
        let refused = simulation.servers[leader]!.propose([9], now: simulation.now)
        #expect(refused == .rejected(.transferring))
        simulation.process(leader)
        simulation.run(for: .milliseconds(100))
        #expect(simulation.leaders == [target])
        simulation.run(for: .milliseconds(200))
        #expect(simulation.acknowledged.count == 10)
        #expect(simulation.finalViolations().isEmpty)
    }

    @Test("servers join as learners, are promoted, and the leader removes itself")
    func membership() throws {
        var simulation = RaftSimulation(servers: 4, seed: 11, settings: Self.settings)
        // s3 is not in the first membership: it starts empty and learns from the leader.
        let newcomer = RaftServerID("s3")
        simulation.servers[newcomer] = RaftNode(
            id: newcomer, bootstrap: RaftConfiguration(), settings: Self.settings, seed: 99, now: .zero)
        for name in simulation.names where name != newcomer {
            simulation.servers[name] = RaftNode(
                id: name, bootstrap: RaftConfiguration(voters: ["s0", "s1", "s2"]), settings: Self.settings,
                seed: UInt64(name.name.utf8.last!), now: .zero)
        }
        simulation.run(for: .milliseconds(600))
        let leader = try #require(simulation.leaders.first)
        #expect(leader != newcomer)
        for _ in 0..<20 { simulation.proposeSomewhere() }
        simulation.run(for: .milliseconds(100))
        #expect(simulation.machines[newcomer]!.isEmpty)

        guard
            case .accepted = simulation.servers[leader]!.changeConfiguration(.addLearner(newcomer), now: simulation.now)
        else {
            Issue.record("learner not accepted")
            return
        }
        // One change at a time.
        let second = simulation.servers[leader]!.changeConfiguration(.addVoter(newcomer), now: simulation.now)
        #expect(second == .rejected(.configurationChangePending))
        simulation.process(leader)
        simulation.run(for: .milliseconds(200))
        #expect(simulation.machines[newcomer]!.count == 20)
        #expect(simulation.servers[newcomer]!.configuration.learners == [newcomer])

        guard case .accepted = simulation.servers[leader]!.changeConfiguration(.addVoter(newcomer), now: simulation.now)
        else {
            Issue.record("promotion not accepted")
            return
        }
        simulation.process(leader)
        simulation.run(for: .milliseconds(200))
        #expect(simulation.servers[leader]!.configuration.voters.count == 4)

        guard case .accepted = simulation.servers[leader]!.changeConfiguration(.remove(leader), now: simulation.now)
        else {
            Issue.record("removal not accepted")
            return
        }
        simulation.process(leader)
        simulation.run(for: .milliseconds(800))
        let next = try #require(simulation.leaders.first)
        #expect(next != leader)
        #expect(simulation.servers[next]!.configuration.voters == Set(simulation.names).subtracting([leader]))
        for _ in 0..<5 { simulation.proposeSomewhere() }
        simulation.run(for: .milliseconds(200))
        #expect(simulation.acknowledged.count == 25)
        #expect(simulation.violations.isEmpty)
    }

    @Test("a follower far behind gets the snapshot, then the entries after it")
    func snapshotInstall() throws {
        var simulation = Self.elected(3)
        simulation.snapshotEvery = 10
        let leader = try #require(simulation.leaders.first)
        let laggard = simulation.names.first { $0 != leader }!
        simulation.crash(laggard)
        for _ in 0..<45 { simulation.proposeSomewhere() }
        simulation.run(for: .milliseconds(200))
        #expect(simulation.servers[leader]!.snapshotIndex > 10)
        simulation.restart(laggard)
        simulation.run(for: .milliseconds(300))
        #expect(simulation.machines[laggard]!.count == 45)
        #expect(simulation.stored[laggard]!.snapshot != nil)
        #expect(simulation.finalViolations().isEmpty)
    }

    @Test("a read is answered after a heartbeat round confirms the leader; elsewhere it fails")
    func readIndex() throws {
        var simulation = Self.elected(3)
        let leader = try #require(simulation.leaders.first)
        for _ in 0..<5 { simulation.proposeSomewhere() }
        simulation.run(for: .milliseconds(50))
        let follower = simulation.names.first { $0 != leader }!
        simulation.servers[follower]!.read(1, now: simulation.now)
        var ready = simulation.servers[follower]!.ready()
        #expect(ready.reads == [.failed(id: 1, leader: leader)])
        simulation.servers[follower]!.advance(ready)

        simulation.servers[leader]!.read(2, now: simulation.now)
        ready = simulation.servers[leader]!.ready()
        // Not before the round is confirmed: the heartbeat goes out with this ready.
        #expect(ready.reads.isEmpty)
        #expect(ready.messages.count == 2)
        let commit = simulation.servers[leader]!.commitIndex
        for envelope in ready.messages { simulation.transmit(from: leader, envelope) }
        simulation.servers[leader]!.advance(ready)
        let before = simulation.readLog[leader]?.count ?? 0
        for _ in 0..<20 {
            simulation.now += .milliseconds(1)
            simulation.deliverDue()
        }
        #expect(simulation.readLog[leader]?.dropFirst(before) == [.ready(id: 2, index: commit)])

        // A leader cut off cannot confirm: the read fails when it steps down.
        simulation.partition([[leader], simulation.names.filter { $0 != leader }])
        simulation.servers[leader]!.read(3, now: simulation.now)
        simulation.process(leader)
        simulation.run(for: .milliseconds(300))
        #expect(simulation.readLog[leader]?.contains(.failed(id: 3, leader: nil)) == true)
    }
}
