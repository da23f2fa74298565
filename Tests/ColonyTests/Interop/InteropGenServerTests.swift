import Colony
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// GenServer calls and casts both ways between a Colony node and a real Elixir node, with the
/// failure reasons OTP reports: Elixir calls Colony's `kv` server (the guide's GlobalStateManager
/// protocol) and gets `noproc`, `timeout` and a crashed server's reason as exits; Colony calls an
/// Elixir GenServer and gets `noproc`, `timeout` (the late reply dropped) and `nodedown` after the
/// Elixir OS process is killed mid-call.
@Suite("Interop: GenServer with Elixir")
struct InteropGenServerTests {
    static let script = #"""
        target = String.to_atom(System.fetch_env!("COLONY_NODE"))

        defmodule ExStack do
          use GenServer
          def init(items), do: {:ok, items}
          def handle_call(:pop, _from, [top | rest]), do: {:reply, top, rest}
          def handle_call(:pop, _from, []), do: {:reply, :empty, []}
          def handle_call({:sleep, ms}, _from, items) do
            Process.sleep(ms)
            {:reply, :slept, items}
          end
          def handle_cast({:push, item}, items), do: {:noreply, [item | items]}
        end

        {:ok, _} = GenServer.start(ExStack, [], name: :ex_stack)
        result = fn label, value -> IO.puts("RESULT #{label} #{inspect(value)}") end
        exit_reason = fn call ->
          try do
            call.()
            :no_exit
          catch
            :exit, {reason, {GenServer, :call, _}} -> reason
          end
        end

        result.("connect", Node.connect(target))
        kv = {:kv, target}
        result.("put", GenServer.call(kv, {:put, :a, 1}))
        value = {"w\u00f6rld", [1, 2.5, %{x: :y}], <<1, 2, 3>>}
        result.("put_any", GenServer.call(kv, {:put, {:key, 2}, value}))
        result.("get", GenServer.call(kv, {:get, :a}))
        result.("get_any", GenServer.call(kv, {:get, {:key, 2}}) == value)
        result.("get_missing", GenServer.call(kv, {:get, :nope}))
        GenServer.cast(kv, {:put, :c, 3})
        result.("get_all", GenServer.call(kv, :get_all) == %{:a => 1, :c => 3, {:key, 2} => value})
        result.("delete", GenServer.call(kv, {:delete, :a}))
        result.("after_delete", GenServer.call(kv, {:get, :a}))

        # A reply to an old-style {Pid, Ref} tag goes to the pid.
        ref = make_ref()
        send(kv, {:"$gen_call", {self(), ref}, {:get, :c}})
        receive do
          {^ref, reply} -> result.("plain_tag", reply)
        after
          5_000 -> result.("plain_tag", :timeout)
        end

        result.("noproc", exit_reason.(fn -> GenServer.call({:nobody, target}, :x) end))
        result.("timeout", exit_reason.(fn -> GenServer.call({:colony_silent, target}, :x, 300) end))
        result.("crash", exit_reason.(fn -> GenServer.call({:colony_crash, target}, :x) end))
        IO.puts("READY")
        Process.sleep(60_000)
        """#

    /// Never answers.
    struct Silent: GenServer {
        func handleCall(_ request: Term, from: CallerRef, process: ProcessContext) async throws -> CallResult {
            .noReply
        }
    }

    /// Throws on every call.
    struct Crashing: GenServer {
        struct Failure: Error, CustomStringConvertible {
            var description: String { "crash requested" }
        }
        func handleCall(_ request: Term, from: CallerRef, process: ProcessContext) async throws -> CallResult {
            throw Failure()
        }
    }

    @Test("Elixir calls Colony servers and Colony calls Elixir's, with OTP's failure reasons", .timeLimit(.minutes(1)))
    func bothWays() async throws {
        try await InteropScope.run("genserver") { scope in
            let cookie = "interop_genserver"
            let epmdPort = try await scope.startEPMD(.colony)
            let node = try await scope.startNode(name: "colony_gs@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
            try await node.startServer(KeyValueServer(), name: .local("kv"))
            try await node.startServer(Silent(), name: .local("colony_silent"))
            try await node.startServer(Crashing(), name: .local("colony_crash"))

            let ex = try await scope.startElixirScript(
                Self.script, file: "genserver.exs", name: "ex_gs@127.0.0.1", cookie: cookie, epmdPort: epmdPort,
                colony: node.name)

            // Elixir → Colony.
            let results = InteropScope.lines(ex, prefix: "RESULT")
            let expected = [
                "RESULT connect true", "RESULT put :ok", "RESULT put_any :ok", "RESULT get 1", "RESULT get_any true",
                "RESULT get_missing nil", "RESULT get_all true", "RESULT delete :ok", "RESULT after_delete nil",
                "RESULT plain_tag 3", "RESULT noproc :noproc", "RESULT timeout :timeout",
                #"RESULT crash {:swift_error, "crash requested"}"#,
            ]
            #expect(results == expected, "\(InteropScope.describe(ex))")

            // Colony → Elixir.
            let stack = ServerRef.remote("ex_stack", node: "ex_gs@127.0.0.1")
            let outcome = try await node.runProcess(timeout: .seconds(20)) { process -> [Term] in
                var seen: [Term] = []
                await process.cast(stack, .tuple(["push", 7]))
                seen.append(try await process.call(stack, "pop"))
                seen.append(try await process.call(stack, "pop"))
                do {
                    _ = try await process.call(.remote("nobody", node: "ex_gs@127.0.0.1"), "x")
                } catch let error as GenServerCallError {
                    seen.append(error.reasonTerm)
                }
                do {
                    _ = try await process.call(stack, .tuple(["sleep", 500]), timeout: .milliseconds(100))
                } catch let error as GenServerCallError {
                    seen.append(error.reasonTerm)
                }
                // The reply that comes after the timeout is dropped by the alias, not queued.
                try await Task.sleep(for: .milliseconds(800))
                seen.append(try await process.receive(timeout: .zero) ?? "mailbox_empty")
                return seen
            }
            #expect(outcome == [7, "empty", "noproc", "timeout", "mailbox_empty"])

            // nodedown: the Elixir OS process is killed while a call waits.
            let pending = Task {
                try await node.runProcess(timeout: .seconds(20)) { process -> Term in
                    do {
                        _ = try await process.call(stack, .tuple(["sleep", 10_000]), timeout: .seconds(15))
                        return "replied"
                    } catch let error as GenServerCallError {
                        return error.reasonTerm
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            ex.kill()
            #expect(try await pending.value == .tuple(["nodedown", "ex_gs@127.0.0.1"]))
        }
    }
}
