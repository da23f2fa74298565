import Colony
import ColonyGroups
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// `global` with a real `erl` in the cluster: erl's `sync`, locks and transactions complete with a
/// Colony node connected; names registered on either side are found and reached on the other; a
/// name registered on both sides of a split has one owner after the heal, and the other process
/// got global's default exit (`kill`).
@Suite("Groups: global with OTP", .serialized)
struct GlobalInteropTests {
    /// Evaluates Erlang `source` on `erl` (through `erl_scan`, `erl_parse` and `erl_eval`, by rpc).
    static func eval(_ source: String, on erl: Atom, from node: Node) async throws -> Term {
        try await node.runProcess(timeout: .seconds(40)) { process in
            let scanned = try await process.rpc(
                erl, "erl_scan", "string", [.list(source.unicodeScalars.map { .integer(Int($0.value)) })])
            guard case .tuple(let s) = scanned, s.count == 3, s[0] == "ok" else {
                throw InteropFailure("scan: \(scanned)")
            }
            let parsed = try await process.rpc(erl, "erl_parse", "parse_exprs", [s[1]])
            guard case .tuple(let p) = parsed, p.count == 2, p[0] == "ok" else {
                throw InteropFailure("parse: \(parsed)")
            }
            let value = try await process.rpc(erl, "erl_eval", "exprs", [p[1], .list([])])
            guard case .tuple(let v) = value, v.count == 3, v[0] == "value" else {
                throw InteropFailure("eval: \(value)")
            }
            return v[1]
        }
    }

    @Test(
        "erl's sync, set_lock, trans and {global, Name} calls work with Colony; names both ways",
        .timeLimit(.minutes(2)))
    func withErlang() async throws {
        try await InteropScope.run("global-erl") { scope in
            let cookie = "global_interop"
            let epmdPort = try await scope.startEPMD(.colony)
            let node = try await scope.startNode(name: "gl_colony@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
            let global = try await GlobalNames.start(on: node)
            let erl: Atom = "gl_erl@127.0.0.1"
            _ = try await scope.startAgent(
                name: erl.name, cookie: cookie, epmdPort: epmdPort, action: "ping", colony: node.name.name)
            #expect(try await Self.eval("global:sync().", on: erl, from: node) == "ok")
            await global.sync()
            #expect(global.knownNodes == [erl])

            // erl's locks and transactions complete (they ask Colony's name server too).
            #expect(
                try await Self.eval(
                    "true = global:set_lock({res, self()}), true = global:del_lock({res, self()}), "
                        + "global:trans({res2, self()}, fun() -> done end).", on: erl, from: node) == "done")
            // A lock a Colony process holds keeps erl's out (no retries: false); when the process
            // ends, the lock goes on both nodes and erl gets it.
            let locked = InteropSlot<Bool>()
            let holder = node.spawn { process in
                locked.set(.success(await global.setLock("shared", requester: "colony", process: process)))
                _ = try await process.receive()
            }
            #expect(try await locked.wait(timeout: .seconds(20)) == true)
            #expect(
                try await Self.eval("global:set_lock({shared, erl}, [node() | nodes()], 0).", on: erl, from: node)
                    == "false")
            await node.send("release", to: holder)
            #expect(
                try await Self.eval(
                    "R = global:set_lock({shared, erl}, [node() | nodes()], 20), global:del_lock({shared, erl}), R.",
                    on: erl, from: node) == "true")

            // A Colony server registered globally: erl finds it and calls it.
            let kv = try await node.startServer(KeyValueServer(), name: .global("gl_kv"))
            #expect(global.whereis("gl_kv") == kv)
            #expect(try await Self.eval("gen_server:call({global, gl_kv}, {put, a, 1}).", on: erl, from: node) == "ok")
            #expect(try await Self.eval("gen_server:call({global, gl_kv}, {get, a}).", on: erl, from: node) == 1)
            #expect(try await Self.eval("global:whereis_name(gl_kv).", on: erl, from: node) == .pid(kv))

            // A name registered on erl: Colony finds it and calls it (erl's rex is a gen_server).
            #expect(try await Self.eval("global:register_name(gl_rex, whereis(rex)).", on: erl, from: node) == "yes")
            #expect(await ProcessGroupsInteropTests.eventually(10) { global.whereis("gl_rex")?.node == erl })
            let answer = try await node.call(.global("gl_rex"), .tuple(["call", "erlang", "node", .list([]), "user"]))
            #expect(answer == .atom(erl))
            // Unregistered on erl: gone here.
            _ = try await Self.eval("global:unregister_name(gl_rex).", on: erl, from: node)
            #expect(await ProcessGroupsInteropTests.eventually(10) { global.whereis("gl_rex") == nil })

            // A name taken on both sides of a split: after the heal one owner remains everywhere (the
            // process on the smaller node name, here Colony's), and erl's got the default exit.
            // erl registers as soon as it is alone; Colony registers while they are apart.
            let theirs = try await Self.eval(
                "spawn(fun() -> W = fun Wait() -> case nodes() of [] -> ok; _ -> timer:sleep(5), Wait() end end, "
                    + "W(), yes = global:register_name(gl_dup, self()), receive _ -> ok end end).", on: erl, from: node)
            guard case .pid(let erlPid) = theirs else {
                Issue.record("erl did not spawn: \(theirs)")
                return
            }
            #expect(await node.disconnect(erl))
            #expect(await ProcessGroupsInteropTests.eventually(10) { global.knownNodes.isEmpty })
            let mine = node.spawn { process in _ = try await process.receive() }
            #expect(await global.register("gl_dup", mine))
            try await Task.sleep(for: .seconds(1))
            #expect(await node.connect(to: erl) == .connected)
            await global.sync()
            #expect(try await Self.eval("global:sync().", on: erl, from: node) == "ok")
            #expect(await ProcessGroupsInteropTests.eventually(10) { global.whereis("gl_dup") == mine })
            #expect(try await Self.eval("global:whereis_name(gl_dup).", on: erl, from: node) == .pid(mine))
            #expect(
                try await Self.eval(
                    "erlang:is_process_alive(list_to_pid(\"\(Self.local(erlPid))\")).", on: erl, from: node)
                    == "false")
            #expect(node.isAlive(mine))
            await global.stop()
        }
    }

    /// `<0.N.S>` for a pid of `erl`'s own, as `list_to_pid/1` reads it there.
    static func local(_ pid: PID) -> String { "<0.\(pid.id).\(pid.serial)>" }
}
