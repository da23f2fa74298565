import Colony
import ColonyTestSupport
import ErlangTerm
import Testing

@testable import ColonyGroups

/// A peer can send a name server anything: malformed protocol messages (right tag, wrong shapes,
/// wrong types, stale tags) are ignored or answered, never a crash, and the server keeps working.
@Suite("Groups: global with hostile input")
struct GlobalHostileInputTests {
    static let kinds: [Term] = [
        "$gen_cast", "$gen_call", "nodeup", "nodedown", "init_connect", "init_connect_ack", "cancel_connect",
        "lock_is_set", "exchange", "exchange_ops", "resolved", "new_nodes", "in_sync", "lock_set",
        "lost_connection", "remove_connection", "whereis", "extra_nodedown", "register", "set_lock", "del_lock",
        "sync", "unregister", "DOWN",
    ]

    static func term(_ random: inout SplitMix64, depth: Int = 0) -> Term {
        let pid = PID(
            node: random.next(below: 2) == 0 ? "b@h" : "c@h", id: UInt32(random.next(below: 5)), serial: 0, creation: 1)
        switch random.next(below: depth > 2 ? 6 : 9) {
        case 0: return kinds[random.next(below: kinds.count)]
        case 1: return .integer(random.next(below: 10) - 3)
        case 2: return .pid(pid)
        case 3: return .atom(random.next(below: 2) == 0 ? "b@h" : "c@h")
        case 4: return "global"
        case 5: return .binary([1, 2])
        case 6: return .list((0..<random.next(below: 4)).map { _ in term(&random, depth: depth + 1) })
        case 7:
            var elements = [kinds[random.next(below: kinds.count)]]
            elements += (0..<random.next(below: 7)).map { _ in term(&random, depth: depth + 1) }
            return .tuple(elements)
        default: return .map(TermMap([(.atom("connection_id"), .integer(random.next(below: 3)))]))
        }
    }

    @Test("10,000 random protocol-shaped messages: no crash, and the server still registers and locks")
    func randomMessages() {
        var random = SplitMix64(seed: 0x6106_a1)
        let me = PID(node: "a@h", id: 1, serial: 0, creation: 1)
        var server = GlobalServerState(me: "a@h", locker: me, preventOverlappingPartitions: true, extendedCreation: 1)
        var locker = GlobalLockerState(me: "a@h", pid: me, seed: 1)
        for _ in 0..<10_000 {
            var message = Self.term(&random)
            if random.next(below: 2) == 0 { message = .tuple(["$gen_cast", message]) }
            for directive in server.received(message) {
                if case .locker(let input) = directive {
                    let table = server.table
                    _ = locker.receive(input, canSetLock: table.canSetLock, globalLockSet: false)
                }
            }
        }
        let caller = CallerRef(pid: PID(node: "a@h", id: 9, serial: 0, creation: 1), tag: "t")
        let holder = PID(node: "a@h", id: 10, serial: 0, creation: 1)
        // The random holders go (as their DOWNs would say); then the server works as before.
        for node: Atom in ["b@h", "c@h"] {
            for id in 0..<5 { _ = server.processDown(PID(node: node, id: UInt32(id), serial: 0, creation: 1)) }
        }
        _ = server.call(.tuple(["del_lock", .tuple(["r", "me"])]), from: caller)
        #expect(
            server.call(.tuple(["set_lock", .tuple(["r2", "me"])]), from: caller).contains(.reply(caller, "true")))
        _ = server.call(.tuple(["unregister", "n"]), from: caller)
        _ = server.call(.tuple(["register", "n", .pid(holder), GlobalProtocol.randomExitName]), from: caller)
        #expect(server.table.whereis("n") == holder)
    }
}
