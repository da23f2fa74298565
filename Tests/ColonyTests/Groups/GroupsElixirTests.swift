import Colony
import ColonyGroups
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// Two Elixir nodes and two `colony node` OS processes (plus the test's own Colony node): all agree
/// on `pg` membership through joins, leaves, exits and a `kill -9` of one node of each kind, and
/// Elixir reaches a Colony server through `{:global, name}`, finds it with `:global.whereis_name`,
/// and completes `:global.sync`, `set_lock`, `del_lock` and `trans` with Colony nodes connected.
@Suite("Groups: pg and global with Elixir", .serialized)
struct GroupsElixirTests {
    /// Connects to the Colony node, starts the default pg scope, and from then on keeps connected
    /// to every node of the test (as libcluster would), so that a connection global's "prevent
    /// overlapping partitions" takes down during the mesh's formation comes back.
    static let script = #"""
        colony = String.to_atom(System.get_env("COLONY_NODE"))
        all = System.get_env("ALL_NODES") |> String.split(",") |> Enum.map(&String.to_atom/1)
        true = Node.connect(colony)
        {:ok, _} = :pg.start_link()
        IO.puts("READY")
        Stream.repeatedly(fn -> Enum.each((all -- [node()]) -- Node.list(), &Node.connect/1); Process.sleep(300) end)
        |> Stream.run()
        """#

    @Test("2 Elixir + 2 Colony nodes agree on pg; Elixir uses Colony's global names and locks", .timeLimit(.minutes(3)))
    func elixirAndColony() async throws {
        try await InteropScope.run("groups-elixir") { scope in
            let cookie = "groups_elixir"
            let epmdPort = try await scope.startEPMD(.colony)
            let colonyA: Atom = "grp_ca@127.0.0.1"
            let colonyB: Atom = "grp_cb@127.0.0.1"
            let elixirA: Atom = "grp_ea@127.0.0.1"
            let elixirB: Atom = "grp_eb@127.0.0.1"
            let everyone = [colonyA, colonyB, elixirA, elixirB].map(\.name).joined(separator: ",")
            _ = try await scope.startColonyProcess(
                name: colonyA.name, cookie: cookie, epmdPort: epmdPort,
                extra: ["--pg-join", "workers", "--global-name", "colony_kv", "--epmd-hosts", everyone])
            let processB = try await scope.startColonyProcess(
                name: colonyB.name, cookie: cookie, epmdPort: epmdPort,
                extra: ["--pg-join", "workers", "--epmd-hosts", everyone])
            _ = try await scope.startElixirScript(
                Self.script, file: "grp_a.exs", name: elixirA.name, cookie: cookie, epmdPort: epmdPort, colony: colonyA,
                environment: ["ALL_NODES": everyone])
            let exB = try await scope.startElixirScript(
                Self.script, file: "grp_b.exs", name: elixirB.name, cookie: cookie, epmdPort: epmdPort, colony: colonyB,
                environment: ["ALL_NODES": everyone])
            let driver = try await scope.startNode(name: "grp_driver@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
            let global = try await GlobalNames.start(on: driver)
            let rpc: @Sendable (Atom, Atom, Atom, [Term]) async throws -> Term = {
                target, module, function, arguments in
                try await driver.runProcess(timeout: .seconds(40)) {
                    try await $0.rpc(target, module, function, arguments, timeout: .seconds(30))
                }
            }
            let all = [colonyA, colonyB, elixirA, elixirB]
            for target in all { #expect(await driver.connect(to: target) == .connected) }
            @Sendable func members(_ target: Atom) async throws -> Set<PID> {
                let result =
                    target.name.hasPrefix("grp_c")
                    ? try await rpc(target, "colony_pg", "get_members", ["pg", "workers"])
                    : try await rpc(target, "pg", "get_members", ["workers"])
                return ProcessGroupsInteropTests.pids(result)
            }
            @Sendable func agree(_ nodes: [Atom], on expected: Set<PID>) async -> Bool {
                let agreed = await ProcessGroupsInteropTests.eventually(20) {
                    for target in nodes where (try? await members(target)) != expected { return false }
                    return true
                }
                if !agreed {
                    for target in nodes { print("pg on \(target): \(String(describing: try? await members(target)))") }
                    for target in nodes {
                        print(
                            "nodes on \(target): \(String(describing: try? await rpc(target, "erlang", "nodes", [])))")
                    }
                    for target in [colonyA, colonyB] {
                        print(
                            "global on \(target): \(String(describing: try? await rpc(target, "colony_global", "info", [])))"
                        )
                    }
                    print("global on driver: \(global.info)")
                    for line in (processB.standardOutput + processB.standardError).split(separator: "\n")
                    where line.contains("grp_e") || line.contains("global") {
                        print("CB: \(line)")
                    }
                    print("EB: \(exB.standardOutput.suffix(3000)) \(exB.standardError.suffix(3000))")
                }
                return agreed
            }
            // The Colony echoes joined at start; each Elixir node joins a process of its own.
            #expect(
                await ProcessGroupsInteropTests.eventually(20) {
                    Set(((try? await members(colonyA)) ?? []).map(\.node)) == [colonyA, colonyB]
                })
            let echoes = try await members(colonyA)
            var expected = echoes
            var elixirMembers: [Atom: PID] = [:]
            for target in [elixirA, elixirB] {
                guard
                    case .pid(let pid) = try await rpc(
                        target, "erlang", "spawn", ["timer", "sleep", .list(["infinity"])])
                else {
                    Issue.record("no pid from \(target)")
                    return
                }
                #expect(try await rpc(target, "pg", "join", ["workers", .pid(pid)]) == "ok")
                elixirMembers[target] = pid
                expected.insert(pid)
            }
            #expect(echoes.count == 2, "\(echoes)")
            #expect(await agree(all, on: expected), "after joins: \(expected)")

            // A leave on Elixir, an exit on Elixir.
            let leaving = elixirMembers[elixirA]!
            #expect(try await rpc(elixirA, "pg", "leave", ["workers", .pid(leaving)]) == "ok")
            expected.remove(leaving)
            #expect(await agree(all, on: expected), "after a leave")
            let exiting = elixirMembers[elixirB]!
            _ = try await rpc(elixirB, "erlang", "exit", [.pid(exiting), "kill"])
            expected.remove(exiting)
            #expect(await agree(all, on: expected), "after an exit")
            guard
                case .pid(let stays) = try await rpc(
                    elixirB, "erlang", "spawn", ["timer", "sleep", .list(["infinity"])])
            else { return }
            #expect(try await rpc(elixirB, "pg", "join", ["workers", .pid(stays)]) == "ok")
            expected.insert(stays)
            #expect(await agree(all, on: expected), "after a rejoin")

            // Global from Elixir: the Colony kv registered with --global-name, locks, sync.
            #expect(await ProcessGroupsInteropTests.eventually(20) { global.whereis("colony_kv")?.node == colonyA })
            for target in [elixirA, elixirB] {
                #expect(
                    await ProcessGroupsInteropTests.eventually(20) {
                        let found = try? await rpc(target, "global", "whereis_name", ["colony_kv"])
                        return found?.pidValue?.node == colonyA
                    }, "colony_kv on \(target)")
            }
            #expect(
                try await GlobalInteropTests.eval(
                    "gen_server:call({global, colony_kv}, {put, k, 7}).", on: elixirA, from: driver) == "ok")
            #expect(
                try await GlobalInteropTests.eval(
                    "gen_server:call({global, colony_kv}, {get, k}).", on: elixirB, from: driver) == 7)
            #expect(
                try await GlobalInteropTests.eval("node(global:whereis_name(colony_kv)).", on: elixirB, from: driver)
                    == .atom(colonyA))
            #expect(
                try await GlobalInteropTests.eval(
                    "ok = global:sync(), true = global:set_lock({res, self()}), true = global:del_lock({res, self()}), "
                        + "global:trans({res, self()}, fun() -> done end).", on: elixirA, from: driver) == "done")
            // A name registered on Elixir: found by Colony and reached by a Colony call.
            #expect(
                try await GlobalInteropTests.eval(
                    "global:register_name(ex_rex, whereis(rex)).", on: elixirA, from: driver)
                    == "yes")
            #expect(await ProcessGroupsInteropTests.eventually(20) { global.whereis("ex_rex")?.node == elixirA })
            #expect(
                try await driver.call(.global("ex_rex"), .tuple(["call", "erlang", "node", .list([]), "user"]))
                    == .atom(elixirA))
            #expect(try await rpc(colonyB, "global", "whereis_name", ["ex_rex"]) == .pid(global.whereis("ex_rex")!))

            // kill -9 one node of each kind: the rest drop their members.
            guard let colonyEchoB = echoes.first(where: { $0.node == colonyB }) else {
                Issue.record("no echo of \(colonyB) in \(echoes)")
                return
            }
            exB.kill()
            processB.kill()
            expected.remove(stays)
            expected.remove(colonyEchoB)
            #expect(await agree([colonyA, elixirA], on: expected), "after kill -9 of \(elixirB) and \(colonyB)")
            await global.stop()
        }
    }
}
