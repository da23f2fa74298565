import Colony
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// An Elixir node connects to a Colony node with `Node.connect/1`, lists it in `Node.list/0`,
/// exchanges a message with it, and sees it come up and go down through
/// `:net_kernel.monitor_nodes(true, [:nodedown_reason])`.
@Suite("Interop: Elixir")
struct InteropElixirTests {
    static let script = #"""
        target = String.to_atom(System.fetch_env!("COLONY_NODE"))
        :ok = :net_kernel.monitor_nodes(true, [:nodedown_reason])
        IO.puts("RESULT connect #{Node.connect(target)}")
        IO.puts("RESULT list #{inspect(Node.list())}")
        IO.puts("RESULT member #{target in Node.list()}")

        receive do
          {:nodeup, ^target, _info} -> IO.puts("RESULT nodeup #{target}")
        after
          10_000 -> IO.puts("RESULT nodeup timeout")
        end

        payload = {:hello, "w\u00f6rld", [1, 2.5, %{1 => :one}], self()}
        send({:colony_echo, target}, {self(), payload})

        receive do
          {pid, ^payload} when node(pid) == target -> IO.puts("RESULT echo ok")
        after
          10_000 -> IO.puts("RESULT echo timeout")
        end

        IO.puts("READY")

        receive do
          {:nodedown, ^target, info} ->
            IO.puts("RESULT nodedown #{target} #{inspect(info[:nodedown_reason])}")
        after
          20_000 -> IO.puts("RESULT nodedown timeout")
        end

        IO.puts("RESULT list_after #{inspect(Node.list())}")
        """#

    @Test("Elixir's Node.connect, Node.list and monitor_nodes see a Colony node up and down", .timeLimit(.minutes(1)))
    func elixirNode() async throws {
        try await InteropScope.run("elixir") { scope in
            let cookie = "interop_elixir"
            let epmdPort = try await scope.startEPMD(.colony)
            let node = try await scope.startNode(name: "colony_ex@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
            let events = InteropNodeEvents(node)
            let echo = node.spawn { process in
                while let message = try await process.receive(timeout: .seconds(60)) {
                    if case .tuple(let t) = message, t.count == 2, case .pid(let from) = t[0] {
                        await process.send(.tuple([.pid(process.pid), t[1]]), to: from)
                    }
                }
            }
            #expect(node.register("colony_echo", pid: echo))

            let ex = try await scope.startElixirScript(
                Self.script, file: "colony_interop.exs", name: "ex@127.0.0.1", cookie: cookie, epmdPort: epmdPort,
                colony: node.name)
            let results = InteropScope.lines(ex, prefix: "RESULT")
            #expect(results.contains("RESULT connect true"), "\(InteropScope.describe(ex))")
            #expect(results.contains("RESULT list [:\"colony_ex@127.0.0.1\"]"), "\(results)")
            #expect(results.contains("RESULT member true"), "\(results)")
            #expect(results.contains("RESULT nodeup colony_ex@127.0.0.1"), "\(results)")
            #expect(results.contains("RESULT echo ok"), "\(results)")
            #expect(await events.wait(for: InteropNodeEvents.isUp("ex@127.0.0.1"), timeout: .seconds(5)) != nil)

            await node.stop()
            let down = await InteropScope.waitForLine(ex, prefix: "RESULT nodedown", timeout: .seconds(15))
            #expect(down == "RESULT nodedown colony_ex@127.0.0.1 :connection_closed", "\(InteropScope.describe(ex))")
            let after = await InteropScope.waitForLine(ex, prefix: "RESULT list_after", timeout: .seconds(5))
            #expect(after == "RESULT list_after []")
        }
    }
}
