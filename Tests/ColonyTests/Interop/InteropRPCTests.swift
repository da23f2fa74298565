import Colony
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// Remote calls both ways between Colony and a real Elixir node. Elixir's `:rpc.call`,
/// `:erpc.call`, `:erpc.multicall`, `:rpc.multicall`, `:rpc.async_call` + `:rpc.yield` and
/// `:rpc.cast` run Swift functions registered on the Colony node (and `erlang:node/0`,
/// `erlang:nodes/0`), with OTP's results for undefined functions, throws, exits and timeouts;
/// Colony calls Elixir's own functions with `rpc`, `multicall` and `castRPC`.
@Suite("Interop: rpc with Elixir")
struct InteropRPCTests {
    static let script = #"""
        target = String.to_atom(System.fetch_env!("COLONY_NODE"))
        result = fn label, value -> IO.puts("RESULT #{label} #{inspect(value, charlists: :as_lists)}") end
        Process.register(self(), :ex_shell)

        result.("connect", Node.connect(target))
        result.("rpc", :rpc.call(target, :math_ops, :square, [7]))
        result.("erpc", :erpc.call(target, :math_ops, :square, [8]))
        result.("node", :rpc.call(target, :erlang, :node, []) == target)
        result.("nodes", :rpc.call(target, :erlang, :nodes, []) == [node()])
        result.("undef", :rpc.call(target, :math_ops, :cube, [2]))
        result.("throw", :rpc.call(target, :math_ops, :throws, []))
        result.("exit", :rpc.call(target, :math_ops, :exits, []))
        result.("timeout", :rpc.call(target, :math_ops, :sleep, [2000], 100))
        erpc_timeout =
          try do
            :erpc.call(target, :math_ops, :sleep, [2000], 100)
          catch
            :error, reason -> reason
          end
        result.("erpc_timeout", erpc_timeout)
        result.("erpc_multicall", :erpc.multicall([target, node()], :erlang, :node, []) == [{:ok, target}, {:ok, node()}])
        {values, bad} = :rpc.multicall([target, :"nowhere@127.0.0.1"], :math_ops, :square, [3])
        result.("rpc_multicall", {values, bad})
        key = :rpc.async_call(target, :math_ops, :square, [5])
        result.("yield", :rpc.yield(key))
        result.("cast", :rpc.cast(target, :math_ops, :record, [:casted]))
        IO.puts("READY")
        receive do
          :done -> :ok
        after
          60_000 -> :ok
        end
        """#

    @Test("Elixir calls Colony's functions and Colony calls Elixir's", .timeLimit(.minutes(1)))
    func bothWays() async throws {
        try await InteropScope.run("rpc") { scope in
            let cookie = "interop_rpc"
            let epmdPort = try await scope.startEPMD(.colony)
            let node = try await scope.startNode(name: "colony_rpc@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
            let casts = Journal()
            node.functions.register(module: "math_ops", function: "square") { arguments, _ in
                guard case .integer(let n) = arguments.first else { throw ProcessExit("badarg") }
                return .integer(n * n)
            }
            node.functions.register(module: "math_ops", function: "throws") { _, _ in throw ErlangThrow("thrown_value")
            }
            node.functions.register(module: "math_ops", function: "exits") { _, _ in throw ProcessExit("exit_reason") }
            node.functions.register(module: "math_ops", function: "sleep") { _, _ in
                try await Task.sleep(for: .seconds(2))
                return "slept"
            }
            node.functions.register(module: "math_ops", function: "record") { arguments, _ in
                casts.record(arguments.first ?? "none")
                return "ok"
            }

            let ex = try await scope.startElixirScript(
                Self.script, file: "rpc.exs", name: "ex_rpc@127.0.0.1", cookie: cookie, epmdPort: epmdPort,
                colony: node.name)

            // Elixir → Colony.
            #expect(
                InteropScope.lines(ex, prefix: "RESULT") == [
                    "RESULT connect true", "RESULT rpc 49", "RESULT erpc 64", "RESULT node true", "RESULT nodes true",
                    "RESULT undef {:badrpc, {:EXIT, {:undef, [{:math_ops, :cube, [2], []}]}}}",
                    "RESULT throw :thrown_value", "RESULT exit {:badrpc, {:EXIT, :exit_reason}}",
                    "RESULT timeout {:badrpc, :timeout}", "RESULT erpc_timeout {:erpc, :timeout}",
                    "RESULT erpc_multicall true", "RESULT rpc_multicall {[9], [:\"nowhere@127.0.0.1\"]}",
                    "RESULT yield 25", "RESULT cast true",
                ], "\(InteropScope.describe(ex))")
            #expect(try await casts.wait(count: 1) == ["casted"])

            // Colony → Elixir.
            let ex1: Atom = "ex_rpc@127.0.0.1"
            let outcome = try await node.runProcess(timeout: .seconds(20)) { process -> [Term] in
                var seen: [Term] = []
                seen.append(try await process.rpc(ex1, "Elixir.String", "upcase", [.string("colony")]))
                seen.append(try await process.rpc(ex1, "erlang", "node", []))
                for (module, function, arguments): (Atom, Atom, [Term]) in [
                    ("no_such_module", "f", [1]), ("erlang", "throw", ["ball"]), ("erlang", "exit", ["bye"]),
                    ("timer", "sleep", [2000]),
                ] {
                    do {
                        _ = try await process.rpc(ex1, module, function, arguments, timeout: .milliseconds(200))
                        seen.append("no_error")
                    } catch let error as RPCError {
                        switch error {
                        case .error(let reason, _): seen.append(.tuple(["error", reason]))
                        case .thrown(let value): seen.append(.tuple(["thrown", value]))
                        case .exited(let reason): seen.append(.tuple(["exited", reason]))
                        case .timeout: seen.append("timeout")
                        default: seen.append(.tuple(["other", error.rpcResult]))
                        }
                    }
                }
                let all = try await process.multicall(
                    [ex1, process.node.name, "nowhere@127.0.0.1"], "erlang", "node", [])
                seen.append(
                    .list(
                        all.map { result in (try? result.get()) ?? ((result == .failure(.noconnection)) ? "down" : "?")
                        }))
                let request = await process.sendRPC(ex1, "erlang", "length", [.list([1, 2, 3])])
                seen.append(try await request.result(in: process, timeout: .seconds(5)))
                await process.castRPC(ex1, "erlang", "send", ["ex_shell", "done"])
                return seen
            }
            #expect(
                outcome == [
                    .string("COLONY"), .atom(ex1), .tuple(["error", "undef"]), .tuple(["thrown", "ball"]),
                    .tuple(["exited", "bye"]), "timeout", .list([.atom(ex1), .atom(node.name), "down"]), 3,
                ])
            #expect(await ex.wait(timeout: .seconds(10)) == 0, "the cast told the Elixir script to finish")
        }
    }
}
