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

    static let departedOwner = PID(node: "b@h", id: 47, serial: 0, creation: 1)

    /// A name server at `me` that saw `gone` connect and go (and `alsoUp` connect and stay).
    static func serverThatSawGo(_ gone: Atom, me: Atom, alsoUp: Atom? = nil) -> GlobalServerState {
        var server = GlobalServerState(
            me: me, locker: Self.me, preventOverlappingPartitions: true, extendedCreation: 1)
        _ = server.received(Self.nodeEvent("nodeup", gone, connection: 1))
        if let alsoUp { _ = server.received(Self.nodeEvent("nodeup", alsoUp, connection: 2)) }
        _ = server.received(Self.nodeEvent("nodedown", gone, connection: 1))
        return server
    }

    static func insert(_ name: Term, _ pid: PID) -> Term {
        .tuple(["insert", GlobalName(name: name, pid: pid, method: GlobalProtocol.randomExitName).term])
    }

    /// The demo once ended with `demo_race` (held on `demo_b`) on two members and not on the
    /// other two: `demo_a` saw `demo_b` go, then took `demo_race` back from `demo_d`'s exchange
    /// (which had not seen it go yet); when `demo_b`'s own session came, `demo_a` already had the
    /// name and no operation carried it to the rest, which had dropped it.
    @Test("a third node's exchange does not bring back the names of a node seen going down")
    func departedOwnersNamesWait() {
        var server = Self.serverThatSawGo("b@h", me: "a@h", alsoUp: "d@h")
        let owner = Self.departedOwner
        // The session with d@h resolves: d@h still lists b@h's name and another.
        let ops = [Self.insert("demo_race", owner), Self.insert("kv", Self.theirWorker)]
        let applied = server.doOps(ops, from: "a@h", extraInfo: .list([]), joining: ["d@h"])
        #expect(server.table.whereis("demo_race") == nil)
        #expect(server.table.whereis("kv") == Self.theirWorker)
        #expect(!applied.contains(.watch(owner)))
        // b@h connects again: its own session brings the name.
        _ = server.received(Self.nodeEvent("nodeup", "b@h", connection: 3))
        _ = server.doOps([Self.insert("demo_race", owner)], from: "a@h", extraInfo: .list([]), joining: ["b@h"])
        #expect(server.table.whereis("demo_race") == owner)
    }

    @Test("names of a departed node that this exchange brings in again (joining or known) are taken")
    func departedButJoining() {
        var server = Self.serverThatSawGo("b@h", me: "c@h")
        let owner = Self.departedOwner
        _ = server.doOps([Self.insert("x", owner)], from: "c@h", extraInfo: .list([]), joining: ["a@h", "b@h"])
        #expect(server.table.whereis("x") == owner)
        // new_nodes from a@h: b@h joined a@h's partition; its names come with it.
        let newNodes: Term = .tuple([
            "$gen_cast",
            .tuple([
                "new_nodes", "a@h", .list([Self.insert("y", owner)]), .list([]), .list([.tuple(["b@h", 8])]),
                .list([.tuple(["vsn", 8])]),
            ]),
        ])
        _ = server.received(newNodes)
        #expect(server.table.whereis("y") == owner)
    }
}
