import Colony
import ColonyCluster
import ErlangTerm
import Testing

/// The partition handler on running nodes: a connection the peer drops starts a partition, the
/// reconnection heals it with its duration; both reach subscribers and the node's event log.
@Suite("Cluster: partition handler", .serialized)
struct PartitionHandlerTests {
    @Test("a dropped peer starts a partition; reconnecting heals it", .timeLimit(.minutes(1)))
    func startAndHeal() async throws {
        let pair = try await NodePair("partition")
        defer { Task { await pair.stop() } }
        let handler = PartitionHandler(node: pair.a)
        let events = handler.events()
        let running = Task { try await handler.run() }
        defer { running.cancel() }
        let seen = ResultBox<[PartitionTracker.Event]>()
        let collecting = Task {
            var all: [PartitionTracker.Event] = []
            for await event in events {
                all.append(event)
                if case .partitionHealed = event { seen.set(all) }
            }
        }
        defer { collecting.cancel() }
        try await Task.sleep(for: .milliseconds(50))
        #expect(await pair.a.connect(to: pair.b.name) == .connected)
        // b registers its side of the connection a moment after a does: wait for it (bounded).
        let deadline = ContinuousClock.now + .seconds(5)
        while !pair.b.nodes().contains(pair.a.name), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        // The peer drops the connection: for a, that is a failure, not its own disconnect.
        #expect(await pair.b.disconnect(pair.a.name), "b had no connection to drop")
        // Either side may reconnect at once (global's and Colony's own peer traffic do); make sure.
        try await Task.sleep(for: .milliseconds(100))
        #expect(await pair.a.connect(to: pair.b.name) == .connected)
        let all = try #require(await seen.wait(timeout: .seconds(10)), "no partition healed")
        #expect(all.contains(.partitionStarted(unreachable: [pair.b.name])), "\(all)")
        if case .partitionHealed(let duration)? = all.last {
            #expect(duration > .zero && duration < .seconds(10), "\(duration)")
        } else {
            Issue.record("last event \(String(describing: all.last))")
        }
        let kinds = pair.a.recentEvents().map(\.kind)
        #expect(kinds.contains(.partitionStarted) && kinds.contains(.partitionHealed), "\(kinds)")
    }
}
