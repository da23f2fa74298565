import ErlangTerm
import Testing

@testable import ColonyStore

/// The replicated state machine alone: transaction checks see every change of a key, snapshots
/// keep what the checks depend on, and a TTL past the bound is refused before it reaches the log.
@Suite("Store machine")
struct StoreMachineTests {
    static func machine() -> StoreMachine {
        var machine = StoreMachine()
        _ = machine.apply(.createTable(TableDefinition(name: "b", kind: .bag)), index: 1)
        _ = machine.apply(.createTable(TableDefinition(name: "s")), index: 2)
        return machine
    }

    @Test("a transaction that read a bag's key conflicts when one of its records is deleted")
    func bagDeleteObject() {
        var machine = Self.machine()
        _ = machine.apply(.write(.put(table: "b", key: "k", value: "a", expiresAt: nil)), index: 5)
        _ = machine.apply(.write(.put(table: "b", key: "k", value: "x", expiresAt: nil)), index: 10)
        let seen = ReadCheck(table: "b", key: "k", version: 10)
        _ = machine.apply(.write(.deleteObject(table: "b", key: "k", value: "a")), index: 12)
        let result = machine.apply(
            .transaction(checks: [seen], writes: [.put(table: "s", key: "n", value: 1, expiresAt: nil)]), index: 13)
        #expect(result == .tuple(["error", "conflict"]))
    }

    @Test("a key deleted and written again is a change, and a snapshot keeps that")
    func recreatedKey() throws {
        var machine = Self.machine()
        _ = machine.apply(.write(.put(table: "s", key: "k", value: 1, expiresAt: nil)), index: 5)
        _ = machine.apply(.write(.delete(table: "s", key: "k")), index: 6)
        let restored = try StoreMachine(snapshot: try machine.snapshot())
        for var copy in [machine, restored] {
            // A transaction that saw the key absent (version 0 before it ever existed) conflicts.
            let stale = ReadCheck(table: "s", key: "k", version: 0)
            #expect(
                copy.apply(.transaction(checks: [stale], writes: []), index: 7) == .tuple(["error", "conflict"]))
            let current = ReadCheck(table: "s", key: "k", version: 6)
            #expect(copy.apply(.transaction(checks: [current], writes: []), index: 8) == "ok")
        }
    }

    @Test("a TTL past the bound, or overflowing the clock, is refused when stamped")
    func ttlBound() {
        let huge = StoreCommand.write(.put(table: "s", key: "k", value: 1, expiresAt: Int64.max))
        #expect(StoreServer.stamp(huge, now: 1_000) == nil)
        let fine = StoreCommand.write(.put(table: "s", key: "k", value: 1, expiresAt: 60_000))
        #expect(StoreServer.stamp(fine, now: 1_000) == .write(.put(table: "s", key: "k", value: 1, expiresAt: 61_000)))
        #expect(Store.milliseconds(.seconds(Int64.max)) == Int64.max)
    }
}
