import Colony
import ColonyTestSupport
import ErlangTerm
import Testing

@testable import ColonyData

/// Three nodes in this test process (without EPMD, one port on 127.0.0.1-3), each with a
/// replicator, over real distribution connections.
@Suite("Replicator on real nodes", .serialized)
struct ReplicatorNodeTests {
    static let hits = DataKey<PNCounter>("hits")
    static let members = DataKey<ORSet<String>>("members")

    final class Trio: Sendable {
        let nodes: [Node]
        let replicators: [Replicator]

        init(_ label: String, gossip: Duration = .milliseconds(200)) async throws {
            let port = try Int(ExternalProcess.freeLoopbackPort())
            var nodes: [Node] = []
            for index in 1...3 {
                var configuration = NodeConfiguration(name: "\(label)\(index)@127.0.0.\(index)", cookie: "ddata")
                configuration.usesEPMD = false
                configuration.distributionPort = port
                configuration.listenAddress = "127.0.0.\(index)"
                nodes.append(try await Node.start(configuration))
            }
            var settings = ReplicatorSettings()
            settings.gossipInterval = gossip
            var replicators: [Replicator] = []
            for node in nodes { replicators.append(try await Replicator.start(on: node, settings: settings)) }
            for (i, node) in nodes.enumerated() {
                for other in nodes[(i + 1)...] { _ = await node.connect(to: other.name) }
            }
            self.nodes = nodes
            self.replicators = replicators
        }

        func stop() async {
            for replicator in replicators { await replicator.stop() }
            for node in nodes { await node.stop() }
        }

        /// Waits (bounded) until every replicator knows both others.
        func waitForPeers() async throws {
            for _ in 0..<200 {
                if replicators.allSatisfy({ $0.peers.values.filter { $0 }.count == 2 }) { return }
                try await Task.sleep(for: .milliseconds(25))
            }
            Issue.record("replicators did not meet: \(replicators.map(\.peers))")
        }

        /// Waits (bounded) until `check` holds on every node.
        func eventually(_ what: String, _ check: @Sendable (Replicator) async throws -> Bool) async throws {
            for _ in 0..<400 {
                var all = true
                for replicator in replicators where try await !check(replicator) { all = false }
                if all { return }
                try await Task.sleep(for: .milliseconds(25))
            }
            Issue.record("not everywhere: \(what)")
        }
    }

    @Test("concurrent updates on three nodes reach every node; majority writes and reads are acknowledged")
    func replicates() async throws {
        let trio = try await Trio("dd_rep")
        defer { Task { await trio.stop() } }
        try await trio.waitForPeers()
        for round in 0..<50 {
            for (index, replicator) in trio.replicators.enumerated() {
                try await replicator.update(Self.hits) { $0.increment(by: 1, at: $1) }
                try await replicator.update(Self.members) { $0.insert("n\(index)-\(round % 5)", at: $1) }
            }
        }
        try await trio.eventually("150 hits and 15 members") { replicator in
            let hits = try await replicator.get(Self.hits)?.value
            let members = try await replicator.get(Self.members)?.count
            return hits == 150 && members == 15
        }

        let key = DataKey<LWWRegister<String>>("leader")
        try await trio.replicators[0].update(key, consistency: .all, timeout: .seconds(5)) {
            $0.set("n0", at: $1)
        }
        // Acknowledged by all: every node has it now, without waiting for gossip.
        for replicator in trio.replicators { #expect(try await replicator.get(key)?.value == "n0") }

        try await trio.replicators[2].update(Self.hits, consistency: .majority) { $0.increment(by: 10, at: $1) }
        let merged = try await trio.replicators[1].get(Self.hits, consistency: .all)
        #expect(merged?.value == 160)
    }

    @Test("a subscriber sees each change; deletion is final everywhere")
    func subscribeAndDelete() async throws {
        let trio = try await Trio("dd_sub")
        defer { Task { await trio.stop() } }
        try await trio.waitForPeers()
        let stream = trio.replicators[1].changes(Self.hits)
        let reader = Task {
            var seen: [Int64] = []
            for await value in stream {
                seen.append(value.value)
                if value.value == 3 { break }
            }
            return seen
        }
        let watchdog = Task {
            try await Task.sleep(for: .seconds(10))
            reader.cancel()
        }
        for _ in 0..<3 { try await trio.replicators[0].update(Self.hits, consistency: .all) { $0.increment(at: $1) } }
        let seen = await reader.value
        watchdog.cancel()
        #expect(seen.last == 3)
        #expect(seen == seen.sorted(), "changes arrive in order")

        try await trio.replicators[2].delete(Self.hits, consistency: .all)
        for replicator in trio.replicators {
            await #expect(throws: ReplicatorError.deleted(key: "hits")) { try await replicator.get(Self.hits) }
            await #expect(throws: ReplicatorError.deleted(key: "hits")) {
                try await replicator.update(Self.hits) { $0.increment(at: $1) }
            }
        }
    }

    @Test("updates made while a node is cut off reach it after it reconnects; all-writes fail clearly meanwhile")
    func reconnect() async throws {
        let trio = try await Trio("dd_cut")
        defer { Task { await trio.stop() } }
        try await trio.waitForPeers()
        let (a, c) = (trio.nodes[0], trio.nodes[2])
        // Keep c apart: disconnect it from both; nothing reconnects until a message is sent.
        _ = await a.disconnect(c.name)
        _ = await trio.nodes[1].disconnect(c.name)
        for _ in 0..<200 where trio.replicators[0].peers[c.name] == true {
            try await Task.sleep(for: .milliseconds(10))
        }
        for i in 0..<20 { try await trio.replicators[0].update(Self.members) { $0.insert("during\(i)", at: $1) } }
        try await trio.replicators[2].update(Self.members) { $0.insert("alone", at: $1) }
        await #expect(throws: ReplicatorError.unreachable(key: "members", connected: 2, needed: 3)) {
            try await trio.replicators[0].update(Self.members, consistency: .all) { $0.insert("all", at: $1) }
        }
        _ = await c.connect(to: a.name)
        _ = await c.connect(to: trio.nodes[1].name)
        try await trio.eventually("22 members") { try await $0.get(Self.members)?.count == 22 }
    }
}
