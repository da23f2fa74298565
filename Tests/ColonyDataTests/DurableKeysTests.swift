import Colony
import ColonyTestSupport
import ErlangTerm
import Foundation
import GRDB
import Testing

@testable import ColonyData

/// Durable keys: what the replicator writes to its SQLite database, and a node that starts again
/// on the same database with its values back, before any peer is heard.
@Suite("Replicator: durable keys", .serialized)
struct DurableKeysTests {
    static let hits = DataKey<PNCounter>("hits")
    static let members = DataKey<ORSet<String>>("members")
    static let scratch = DataKey<GCounter>("tmp/scratch")
    static let gone = DataKey<GSet<String>>("gone")

    static func temporaryPath() throws -> (directory: URL, file: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("colony-durable-\(UUID())")
        return (directory, directory.appendingPathComponent("nested/ddata.sqlite").path)
    }

    static func node(_ name: String) async throws -> Node {
        var configuration = NodeConfiguration(name: name, cookie: "durable")
        configuration.usesEPMD = false
        configuration.distributionPort = try Int(ExternalProcess.freeLoopbackPort())
        configuration.listenAddress = "127.0.0.1"
        return try await Node.start(configuration)
    }

    @Test("the pure state: only durable keys, each once per change, full states and tombstones")
    func durableChanges() throws {
        var settings = ReplicatorSettings()
        settings.durable = DurableSettings(path: "/unused", keys: .prefixes(["h", "m", "g"]))
        var state = ReplicatorState(me: "a@h", incarnation: 1, settings: settings, seed: 1)
        for _ in 0..<3 { _ = try state.update(Self.hits) { $0.increment(by: 2, at: $1) } }
        _ = try state.update(Self.members) { $0.insert("x", at: $1) }
        _ = try state.update(Self.scratch) { $0.increment(by: 1, at: $1) }
        let keys = DurableSettings.Keys.prefixes(["h", "m", "g"])
        let (first, since) = state.durableChanges(keys)
        #expect(since == 0)
        #expect(first.map(\.key) == ["hits", "members"])
        // The whole value, not the last delta.
        guard case .value(let type, let encoded) = first[0].content else {
            Issue.record("not a value: \(first[0])")
            return
        }
        var restored = PNCounter()
        restored.merge(try TermDecoder().decode(PNCounter.self, from: encoded))
        #expect(type == ReplicatedTypes.name(of: PNCounter.self))
        #expect(restored.value == 6)
        #expect(state.durableChanges(keys).entries.isEmpty, "nothing changed since")

        _ = try state.update(Self.gone) { value, _ in value.insert("y") }
        _ = state.delete(Self.gone.id)
        let (second, secondSince) = state.durableChanges(keys)
        #expect(second == [WireEntry(key: "gone", content: .deleted)])
        // A failed write: the same keys come again.
        state.retryDurable(from: secondSince)
        #expect(state.durableChanges(keys).entries == second)
    }

    @Test("the database: states and tombstones round trip; a row that does not decode is reported, not fatal")
    func storeRoundTrip() async throws {
        let (directory, path) = try Self.temporaryPath()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try DurableStore(path: path)
        let entries = [
            WireEntry(key: "a", content: .value(type: "t", state: .tuple(["x", .integer(1 << 40), .binary([1, 2])]))),
            WireEntry(key: "b", content: .deleted),
        ]
        try await store.save(entries)
        try await store.save([WireEntry(key: "a", content: .value(type: "t", state: "newer"))])
        let (loaded, unreadable) = try DurableStore(path: path).load()
        #expect(unreadable.isEmpty)
        #expect(loaded == [WireEntry(key: "a", content: .value(type: "t", state: "newer")), entries[1]])
        // A row that does not decode, written behind the store's back.
        let database = try DatabaseQueue(path: path)
        try await database.write { db in
            try db.execute(
                sql: "INSERT INTO ddata_entries (key, type, state, deleted) VALUES ('c', 't', ?, 0)",
                arguments: [Data([0xFF, 0x00])])
        }
        let (again, bad) = try DurableStore(path: path).load()
        #expect(bad == ["c"])
        #expect(again.count == 2)
    }

    @Test("a replicator started again on its database has its values back before any peer, and goes on from them")
    func restart() async throws {
        let (directory, path) = try Self.temporaryPath()
        defer { try? FileManager.default.removeItem(at: directory) }
        var settings = ReplicatorSettings()
        settings.durable = DurableSettings(path: path)
        settings.deltaInterval = .zero

        let first = try await Self.node("durable1@127.0.0.1")
        let replicator = try await Replicator.start(on: first, settings: settings)
        for round in 0..<20 {
            try await replicator.update(Self.hits) { $0.increment(by: 1, at: $1) }
            try await replicator.update(Self.members) { $0.insert("m\(round % 7)", at: $1) }
        }
        try await replicator.update(Self.members) { value, _ in value.remove("m0") }
        try await replicator.update(Self.gone) { value, _ in value.insert("soon gone") }
        try await replicator.delete(Self.gone)
        await replicator.stop()
        await first.stop()

        let second = try await Self.node("durable1@127.0.0.1")
        let again = try await Replicator.start(on: second, settings: settings)
        #expect(again.replica != replicator.replica, "a new life draws a new incarnation")
        #expect(try await again.get(Self.hits)?.value == 20)
        #expect(try await again.get(Self.members)?.elements == Set((1..<7).map { "m\($0)" }))
        await #expect(throws: ReplicatorError.deleted(key: "gone")) { _ = try await again.get(Self.gone) }
        try await again.update(Self.hits) { $0.decrement(by: 5, at: $1) }
        await again.stop()
        await second.stop()

        let third = try await Self.node("durable1@127.0.0.1")
        let last = try await Replicator.start(on: third, settings: settings)
        #expect(try await last.get(Self.hits)?.value == 15)
        await last.stop()
        await third.stop()
    }
}
