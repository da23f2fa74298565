import ColonyTestSupport
import Foundation
import Testing

@testable import ColonyRaft
@testable import ColonyStore

/// One test per fault a review found, each failing on the code before its fix.
@Suite("Raft regressions")
struct RaftRegressionTests {
    static let settings = RaftSimulationTests.fast

    @Test("a new leader takes no membership change before an entry of its term commits")
    func configurationChangeWaitsForCommitInTerm() throws {
        var simulation = RaftSimulation(servers: 3, seed: 5, settings: Self.settings)
        // Run until some server becomes leader, and stop at once: its no-op is not committed yet.
        var leader: RaftServerID?
        for _ in 0..<2000 where leader == nil {
            simulation.run(for: .milliseconds(1))
            leader = simulation.leaders.first
        }
        let elected = try #require(leader)
        let server = simulation.servers[elected]!
        #expect(server.log.term(at: server.commitIndex) != server.term)
        let result = simulation.servers[elected]!.changeConfiguration(.remove("s2"), now: simulation.now)
        #expect(result == .rejected(.configurationChangePending))
        // Once its no-op has committed, it does.
        simulation.run(for: .milliseconds(50))
        let later = simulation.servers[elected]!.changeConfiguration(.remove("s2"), now: simulation.now)
        guard case .accepted = later else {
            Issue.record("expected the change to be accepted, got \(later)")
            return
        }
    }

    @Test("a read is confirmed only by a heartbeat round sent after it")
    func readWaitsForLaterRound() throws {
        var simulation = RaftSimulation(servers: 3, seed: 7, settings: Self.settings)
        simulation.run(for: .milliseconds(600))
        let leader = try #require(simulation.leaders.first)
        var node = simulation.servers[leader]!
        node.read(1, now: simulation.now)
        // A heartbeat goes out before the ready that would send read 1's round.
        let later = simulation.now + Self.settings.heartbeatInterval * 2
        node.tick(now: later)
        let heartbeatRound = node.round
        node.read(2, now: later)
        var ready = node.ready()
        node.advance(ready)
        // Acknowledgements of the heartbeat's round confirm read 1 (asked before it) only.
        for follower in simulation.names where follower != leader {
            let ack = AppendResult(
                term: node.term, success: true, matchIndex: node.matchIndexes[follower] ?? 0, hintIndex: 0,
                round: heartbeatRound)
            node.receive(.appendResult(ack), from: follower, now: later)
        }
        ready = node.ready()
        let confirmed: [UInt64] = ready.reads.compactMap { result -> UInt64? in
            guard case .ready(let id, _) = result else { return nil }
            return id
        }
        #expect(confirmed == [1])
    }

    @Test("at most the window of appends is in flight to a follower that does not answer")
    func pipelineWindow() throws {
        var settings = Self.settings
        settings.maxEntriesPerAppend = 1
        settings.maxInflightAppends = 4
        var simulation = RaftSimulation(servers: 3, seed: 9, settings: settings)
        simulation.run(for: .milliseconds(600))
        let leader = try #require(simulation.leaders.first)
        let silent = simulation.names.first { $0 != leader }!
        var node = simulation.servers[leader]!
        var sent = 0
        for value in 0..<50 {
            _ = node.propose([UInt8(value)], now: simulation.now)
            sent += node.ready().messages.count { $0.to == silent }
        }
        #expect(sent <= settings.maxInflightAppends)
    }

    @Test("a received snapshot stored without its log truncation leaves no stale entries after it")
    func snapshotWithoutTruncation() throws {
        let path = NSTemporaryDirectory() + "colony-raft-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let storage = try RaftDiskStorage(directory: path)
        try storage.write(RaftDiskStorageTests.ready(entries: RaftDiskStorageTests.commands(1...10, term: 1)))
        // The leader's snapshot has index 5 in term 2: this log's 5 (term 1) does not match. The
        // crash comes after the snapshot is stored and before the truncation.
        let snapshot = RaftSnapshot(
            metadata: SnapshotMetadata(index: 5, term: 2, configuration: RaftConfiguration(voters: ["a"])), data: [])
        try storage.write(RaftDiskStorageTests.ready(snapshot: snapshot))
        let recovered = try RaftDiskStorage(directory: path).recover()
        #expect(recovered.snapshot == snapshot)
        #expect(recovered.entries.isEmpty)
    }
}
