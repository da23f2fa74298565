import Colony
import ColonyRaft
import ColonyStore
import ErlangTerm
import Foundation
import Testing

/// The store on three nodes over real connections, disc copies.
@Suite("Store on real nodes", .serialized)
struct StoreTests {
    @Test("writes from any node, linearizable reads, compare-and-set, keys, delete, bags and indexes")
    func basics() async throws {
        let cluster = try await StoreCluster("st_basic")
        defer { Task { await cluster.stopAll() } }
        _ = try await cluster.leader()
        let (a, b, c) = (cluster.store(0), cluster.store(1), cluster.store(2))
        try await a.createTable(TableDefinition(name: "users", kind: .orderedSet, indexes: ["city"]))
        try await b.createTable(TableDefinition(name: "users"), ifMissing: true)
        await #expect(throws: StoreError.alreadyExists("")) {
            try await c.createTable(TableDefinition(name: "users"))
        }
        for (index, store) in [a, b, c].enumerated() {
            let value: Term = .map(TermMap([(.atom("name"), .string("u\(index)")), (.atom("city"), .string("Oslo"))]))
            try await store.put("users", .integer(3 - index), value)
        }
        #expect(try await c.get("users", 1) != nil)
        #expect(try await a.keys("users") == [1, 2, 3])
        #expect(try await b.indexRead("users", field: "city", value: .string("Oslo")).count == 3)

        try await a.compareAndSet("users", 9, expected: nil, new: "first")
        await #expect(throws: StoreError.mismatch(current: "first")) {
            try await b.compareAndSet("users", 9, expected: nil, new: "second")
        }
        try await b.compareAndSet("users", 9, expected: "first", new: "second")
        #expect(try await c.get("users", 9) == "second")
        try await c.delete("users", 9)
        #expect(try await a.get("users", 9) == nil)

        try await a.createTable(TableDefinition(name: "tags", kind: .bag))
        try await a.put("tags", "k", "x")
        try await b.put("tags", "k", "y")
        try await c.put("tags", "k", "x")
        #expect(Set(try await c.values("tags", "k")) == ["x", "y"])
        await #expect(throws: StoreError.noTable("nope")) { try await a.put("nope", 1, 1) }

        // Every replica applied the same: a local (dirty) read sees it everywhere, eventually.
        try await cluster.eventually("all replicas applied") {
            for store in [a, b, c] where try await store.get("users", 3, consistency: .local) == nil { return false }
            return true
        }
    }

    @Test("records with a TTL expire on every replica")
    func ttl() async throws {
        let cluster = try await StoreCluster("st_ttl")
        defer { Task { await cluster.stopAll() } }
        _ = try await cluster.leader()
        let store = cluster.store(1)
        try await store.createTable(TableDefinition(name: "cache"))
        try await store.put("cache", "short", "v", ttl: .milliseconds(200))
        try await store.put("cache", "long", "v")
        #expect(try await store.get("cache", "short") == "v")
        try await Task.sleep(for: .milliseconds(300))
        // Expired records read as absent at once, and are deleted from every replica soon after.
        #expect(try await store.get("cache", "short") == nil)
        try await cluster.eventually("expired everywhere") {
            (0..<3).allSatisfy { cluster.store($0).status.tables["cache"] == 1 }
        }
        #expect(try await store.keys("cache") == ["long"])
    }

    @Test("concurrent transactions from three nodes lose no increment")
    func transactions() async throws {
        let cluster = try await StoreCluster("st_tx")
        defer { Task { await cluster.stopAll() } }
        _ = try await cluster.leader()
        try await cluster.store(0).createTable(TableDefinition(name: "counters"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<3 {
                let store = cluster.store(index)
                group.addTask {
                    for _ in 0..<20 {
                        try await store.transaction { tx in
                            let current = try await tx.get("counters", "n")?.intValue ?? 0
                            tx.put("counters", "n", .integer(current + 1))
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await cluster.store(2).get("counters", "n") == 60)
    }

    @Test("the leader's node stops: the others elect, keep every acknowledged write, and go on")
    func leaderLoss() async throws {
        let cluster = try await StoreCluster("st_fail")
        defer { Task { await cluster.stopAll() } }
        let leader = try await cluster.leader()
        let other = (leader + 1) % 3
        try await cluster.store(other).createTable(TableDefinition(name: "kv"))
        for value in 0..<20 { try await cluster.store(other).put("kv", .integer(value), .integer(value)) }
        await cluster.stop(leader)
        let next = try await cluster.leader()
        #expect(next != leader)
        try await cluster.store(other).put("kv", 100, 100)
        for value in [0, 19, 100] {
            #expect(try await cluster.store(other).get("kv", .integer(value)) == .integer(value))
        }

        // The stopped node comes back on its directory and catches up.
        try await cluster.startNode(leader)
        try await cluster.startStore(leader, voters: (0..<3).map(cluster.name))
        try await cluster.connectAll()
        try await cluster.eventually("the restarted replica caught up") {
            try await cluster.store(leader).get("kv", 100, consistency: .local) == 100
        }
    }

    @Test("a replica without a majority refuses writes with noQuorum in bounded time")
    func minority() async throws {
        let cluster = try await StoreCluster("st_min")
        defer { Task { await cluster.stopAll() } }
        _ = try await cluster.leader()
        try await cluster.store(0).createTable(TableDefinition(name: "kv"))
        try await cluster.store(0).put("kv", 1, "before")
        try await cluster.eventually("applied here") {
            try await cluster.store(0).get("kv", 1, consistency: .local) == "before"
        }
        await cluster.stop(1)
        await cluster.stop(2)
        let started = ContinuousClock.now
        await #expect(throws: StoreError.noQuorum) { try await cluster.store(0).put("kv", 2, "after") }
        await #expect(throws: StoreError.noQuorum) { _ = try await cluster.store(0).get("kv", 1) }
        #expect(ContinuousClock.now - started < .seconds(8))
        // A local read still answers, from what this replica has.
        #expect(try await cluster.store(0).get("kv", 1, consistency: .local) == "before")
    }

    @Test("a fourth node joins as a learner, catches up and becomes a voter; changes are published")
    func join() async throws {
        let cluster = try await StoreCluster("st_join", count: 4)
        defer { Task { await cluster.stopAll() } }
        _ = try await cluster.leader()
        #expect(cluster.store(0).status.voters.count == 4)
        // (The fourth started among the voters; take it out and add it back the joining way.)
        try await cluster.store(0).removeMember(cluster.name(3))
        try await cluster.eventually("removed") { cluster.store(0).status.voters.count == 3 }
        try await cluster.store(0).createTable(TableDefinition(name: "kv"))
        let changes = cluster.store(1).changes(table: "kv")
        for value in 0..<10 { try await cluster.store(0).put("kv", .integer(value), "v") }
        var seen = 0
        for await change in changes {
            #expect(change.kind == .put)
            seen += 1
            if seen == 10 { break }
        }
        try await cluster.store(3).join(via: cluster.name(1))
        try await cluster.eventually("a voter again") { cluster.store(0).status.voters.count == 4 }
        try await cluster.eventually("caught up") {
            try await cluster.store(3).get("kv", 9, consistency: .local) == "v"
        }
    }
}
