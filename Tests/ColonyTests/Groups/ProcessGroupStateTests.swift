import ColonyGroups
import ErlangTerm
import Testing

/// OTP's `pg` scope protocol as a pure state machine: what a scope sends, monitors and reports
/// for local joins and leaves, discovery, sync, remote joins and leaves, and processes or peer
/// scopes going down.
@Suite("Groups: pg scope state machine")
struct ProcessGroupStateTests {
    static let me = PID(node: "a@h", id: 1, serial: 0, creation: 1)
    static let peer = PID(node: "b@h", id: 1, serial: 0, creation: 1)
    static func local(_ id: UInt32) -> PID { PID(node: "a@h", id: id, serial: 0, creation: 1) }
    static func remote(_ id: UInt32) -> PID { PID(node: "b@h", id: id, serial: 0, creation: 1) }

    /// A scope that has discovered `peer`.
    static func connected() -> ProcessGroupState {
        var state = ProcessGroupState(scope: "pg", me: me)
        _ = state.received(.tuple(["discover", .pid(peer)]))
        return state
    }

    @Test("nodeup sends discover to the same-named scope; discover answers sync, monitors, discovers back")
    func discovery() {
        var state = ProcessGroupState(scope: "pg", me: Self.me)
        #expect(state.nodeUp("b@h") == [.sendNamed(.tuple(["discover", .pid(Self.me)]), name: "pg", node: "b@h")])
        #expect(state.nodeUp("a@h") == [])
        _ = state.join("g", [Self.local(5)])
        let effects = state.received(.tuple(["discover", .pid(Self.peer)]))
        let sync: Term = .tuple([
            "$gen_cast", .tuple(["sync", .pid(Self.me), .list([.tuple(["g", .list([.pid(Self.local(5))])])])]),
        ])
        #expect(
            effects == [
                .send(sync, to: Self.peer), .monitor(Self.peer),
                .send(.tuple(["discover", .pid(Self.me)]), to: Self.peer),
            ])
        // Discovered again: only the sync.
        #expect(state.received(.tuple(["discover", .pid(Self.peer)])) == [.send(sync, to: Self.peer)])
    }

    @Test("local joins and leaves: monitors, the table, changes, and the broadcast in OTP's shapes")
    func localJoinLeave() {
        var state = Self.connected()
        let p = Self.local(5)
        let join = state.join("g", [p], single: true)
        #expect(join.contains(.monitor(p)))
        #expect(join.contains(.changed(.join(group: "g", pids: [p]))))
        #expect(join.contains(.send(.tuple(["join", .pid(Self.me), "g", .pid(p)]), to: Self.peer)))
        // A second join counts: one leave keeps it in the group.
        let again = state.join("g", [p])
        #expect(!again.contains(.monitor(p)))
        #expect(state.members("g") == [p, p])
        let leave = state.leave("g", [p]) ?? []
        #expect(!leave.isEmpty && !leave.contains(.demonitor(p)))
        #expect(leave.contains(.send(.tuple(["leave", .pid(Self.me), .list([.pid(p)]), .list(["g"])]), to: Self.peer)))
        #expect(state.members("g") == [p] && state.localMembers("g") == [p])
        let last = state.leave("g", [p]) ?? []
        #expect(last.contains(.demonitor(p)))
        #expect(state.members("g").isEmpty && state.groups.isEmpty)
        #expect(state.leave("g", [p]) == nil, "not_joined")
    }

    @Test("deferred joins go out on flush as one join per group with every pid, in OTP's list shape")
    func deferredJoins() {
        var state = Self.connected()
        let (p1, p2, p3) = (Self.local(5), Self.local(6), Self.local(7))
        for (group, pid) in [("g", p1), ("h", p2), ("g", p3)] as [(Term, PID)] {
            let effects = state.join(group, [pid], deferred: true)
            #expect(!effects.contains { if case .send = $0 { true } else { false } }, "nothing sent yet")
        }
        #expect(state.deferredJoins == 3)
        #expect(Set(state.members("g")) == [p1, p3], "reads see deferred joins at once")
        #expect(
            state.flush() == [
                .send(.tuple(["join", .pid(Self.me), "g", .list([.pid(p3), .pid(p1)])]), to: Self.peer),
                .send(.tuple(["join", .pid(Self.me), "h", .list([.pid(p2)])]), to: Self.peer),
            ])
        #expect(state.flush() == [] && state.deferredJoins == 0)
    }

    @Test("a local member that exits leaves every group it joined, in one leave message")
    func localDown() {
        var state = Self.connected()
        let p = Self.local(5)
        _ = state.join("g1", [p])
        _ = state.join("g2", [p])
        let effects = state.down(p)
        #expect(
            effects.contains(.send(.tuple(["leave", .pid(Self.me), .pid(p), .list(["g2", "g1"])]), to: Self.peer)))
        #expect(state.groups.isEmpty)
    }

    @Test("remote joins and leaves from a known peer count; from an unknown one they are ignored")
    func remoteJoinLeave() {
        var state = Self.connected()
        let r1 = Self.remote(7)
        let r2 = Self.remote(8)
        #expect(
            state.received(.tuple(["join", .pid(Self.peer), "g", .list([.pid(r1), .pid(r2)])])) == [
                .changed(.join(group: "g", pids: [r1, r2]))
            ])
        #expect(state.members("g") == [r1, r2] && state.localMembers("g").isEmpty)
        _ = state.received(.tuple(["leave", .pid(Self.peer), .pid(r1), .list(["g"])]))
        #expect(state.members("g") == [r2])
        let stranger = PID(node: "c@h", id: 1, serial: 0, creation: 1)
        #expect(state.received(.tuple(["join", .pid(stranger), "g", .pid(Self.remote(9))])) == [])
        #expect(state.received(.tuple(["leave", .pid(stranger), .pid(r2), .list(["g"])])) == [])
        #expect(state.received(.tuple(["nonsense"])) == [] && state.received(.atom("x")) == [])
        #expect(state.members("g") == [r2])
    }

    @Test("sync replaces what was known of the peer; its scope going down takes its members")
    func syncAndPeerDown() {
        var state = ProcessGroupState(scope: "pg", me: Self.me)
        let r1 = Self.remote(7)
        let r2 = Self.remote(8)
        let first: Term = .tuple([
            "$gen_cast",
            .tuple([
                "sync", .pid(Self.peer), .list([.tuple(["g", .list([.pid(r1)])]), .tuple(["h", .list([.pid(r2)])])]),
            ]),
        ])
        let effects = state.received(first)
        #expect(effects.first == .monitor(Self.peer), "an unknown peer's sync monitors it")
        #expect(state.members("g") == [r1] && state.members("h") == [r2])
        let second: Term = .tuple([
            "$gen_cast", .tuple(["sync", .pid(Self.peer), .list([.tuple(["g", .list([.pid(r2)])])])]),
        ])
        let changes = state.received(second)
        #expect(changes.contains(.changed(.leave(group: "g", pids: [r1]))))
        #expect(changes.contains(.changed(.join(group: "g", pids: [r2]))))
        #expect(changes.contains(.changed(.leave(group: "h", pids: [r2]))))
        #expect(state.members("g") == [r2] && state.members("h").isEmpty)
        #expect(state.down(Self.peer) == [.changed(.leave(group: "g", pids: [r2]))])
        #expect(state.groups.isEmpty && state.peers.isEmpty)
        // A malformed sync is ignored.
        #expect(state.received(.tuple(["$gen_cast", .tuple(["sync", .pid(Self.peer), "x"])])) == [])
    }
}
