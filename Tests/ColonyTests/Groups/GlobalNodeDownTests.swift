import Colony
import ErlangTerm
import Testing

@testable import ColonyGroups

/// What a name server drops when a node's connection goes: every lock and name held by that
/// node's processes, even those whose monitor would not fire (taken over the next connection).
@Suite("Groups: global on nodedown")
struct GlobalNodeDownTests {
    static let me = PID(node: "b@h", id: 1, serial: 0, creation: 1)
    static let theirLocker = PID(node: "d@h", id: 6, serial: 0, creation: 1)
    static let theirWorker = PID(node: "d@h", id: 7, serial: 0, creation: 1)
    static let otherLocker = PID(node: "c@h", id: 6, serial: 0, creation: 1)

    static func nodeEvent(_ kind: Atom, _ node: Atom, connection: Int) -> Term {
        .tuple([
            .atom(kind), .atom(node),
            .map(TermMap([(.atom("connection_id"), .integer(connection)), (.atom("node_type"), "visible")])),
        ])
    }

    static func setLock(_ id: Term, by pid: PID) -> Term {
        .tuple(["$gen_call", .tuple([.pid(pid), "tag"]), .tuple(["set_lock", id])])
    }

    static func globalLock(_ holders: [PID]) -> Term {
        .tuple(["global", .list(holders.map(Term.pid))])
    }

    /// The demo's failure, as the name server saw it: a member frozen with SIGSTOP runs again, and
    /// a partition lock from `d@h` that was sent before `d@h` dropped it is handled after the
    /// connection closed. Its monitor goes over the next connection, where the locker is alive, so
    /// no `DOWN` comes; before this fix the lock stayed and every later `set_lock` was refused.
    @Test("a lock taken over a connection that then closes is dropped with its nodedown")
    func staleLockGoes() {
        var server = GlobalServerState(
            me: "b@h", locker: Self.me, preventOverlappingPartitions: true, extendedCreation: 1)
        _ = server.received(Self.nodeEvent("nodeup", "d@h", connection: 4))
        // A name held by another process of that node, registered while the node was connected.
        let caller = CallerRef(pid: Self.theirWorker, tag: "r")
        _ = server.call(
            .tuple(["register", "kv", .pid(Self.theirWorker), GlobalProtocol.randomExitName]), from: caller)
        #expect(server.table.whereis("kv") == Self.theirWorker)
        let stale = Self.globalLock([Self.theirLocker, Self.otherLocker])
        let granted = server.received(Self.setLock(stale, by: Self.theirLocker))
        #expect(granted.contains(.watch(Self.theirLocker)))
        #expect(granted.contains(.reply(CallerRef(pid: Self.theirLocker, tag: "tag"), "true")))

        let down = server.received(Self.nodeEvent("nodedown", "d@h", connection: 4))
        #expect(down.contains(.unwatch(Self.theirLocker)))
        #expect(down.contains(.unwatch(Self.theirWorker)))
        #expect(down.contains(.changed(.unregistered("kv", Self.theirWorker))))
        #expect(server.table.holders(of: "global").isEmpty)
        #expect(server.table.whereis("kv") == nil)
        // The next partition lock (another pair of lockers) is granted.
        let next = Self.globalLock([Self.me, Self.otherLocker])
        let reply = server.received(Self.setLock(next, by: Self.otherLocker))
        #expect(reply.contains(.reply(CallerRef(pid: Self.otherLocker, tag: "tag"), "true")))
    }

    @Test("a nodedown of an older connection leaves what the newer one holds")
    func olderConnectionKeeps() {
        var server = GlobalServerState(
            me: "b@h", locker: Self.me, preventOverlappingPartitions: true, extendedCreation: 1)
        _ = server.received(Self.nodeEvent("nodeup", "d@h", connection: 5))
        let lock = Self.globalLock([Self.theirLocker, Self.otherLocker])
        _ = server.received(Self.setLock(lock, by: Self.theirLocker))
        let down = server.received(Self.nodeEvent("nodedown", "d@h", connection: 4))
        #expect(down.isEmpty)
        #expect(server.table.holders(of: "global") == [Self.theirLocker])
    }

    @Test("locks and names of other nodes stay")
    func otherNodesKeep() {
        var server = GlobalServerState(
            me: "b@h", locker: Self.me, preventOverlappingPartitions: false, extendedCreation: 1)
        _ = server.received(Self.nodeEvent("nodeup", "c@h", connection: 2))
        _ = server.received(Self.nodeEvent("nodeup", "d@h", connection: 3))
        _ = server.received(Self.setLock(.tuple(["res", "req"]), by: Self.otherLocker))
        let down = server.received(Self.nodeEvent("nodedown", "d@h", connection: 3))
        #expect(!down.contains(.unwatch(Self.otherLocker)))
        #expect(server.table.holders(of: "res") == [Self.otherLocker])
    }
}
