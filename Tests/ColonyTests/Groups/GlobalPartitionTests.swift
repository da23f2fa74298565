import ColonyTestSupport
import Foundation
import Testing

/// A real partition (network namespaces, nftables drops) through a cluster of two `colony node`
/// processes and two Elixir nodes, one of each kind on each side. Each side registers the global
/// name `leader` (a Colony process on one side, an Elixir process on the other); after the heal
/// every node, Elixir and Colony alike, has the same single owner (the process on the smaller node
/// name, OTP's default resolution), and the losing Elixir process was killed.
@Suite("Groups: global across a real partition", .serialized)
struct GlobalPartitionTests {
    static func name(_ index: Int) -> String { "g\(index)@\(NamespaceNetwork.address(index))" }

    static let script = #"""
        defmodule Wait do
        \#(ElixirWait.until)

          def report_down(nil), do: IO.puts("RESULT mine_none")

          def report_down({pid, ref}) do
            receive do
              {:DOWN, ^ref, :process, ^pid, reason} -> IO.puts("RESULT mine_down #{inspect(reason)}")
            after
              5000 -> IO.puts("RESULT mine_alive")
            end
          end
        end
        me = node()
        colony = String.to_atom(System.get_env("COLONY_NODE"))
        others = (System.get_env("ALL_NODES") |> String.split(",") |> Enum.map(&String.to_atom/1)) -- [me]
        mesh = fn -> Enum.each(others -- Node.list(), &Node.connect/1); Enum.all?(others, &(&1 in Node.list())) end
        :ok = Wait.until(mesh)
        :ok = :global.sync()
        IO.puts("READY")
        # The test cuts the network: only this side's Colony node stays.
        :ok = Wait.until(fn -> Node.list() == [colony] end)
        IO.puts("RESULT split")
        registered =
          case System.get_env("ROLE") do
            "colony" -> :rpc.call(colony, :colony_global, :register_new, [:leader])
            _ ->
              pid = spawn(fn -> receive do _ -> :ok end end)
              Process.put(:mine, {pid, Process.monitor(pid)})
              {:global.register_name(:leader, pid), pid}
          end
        IO.puts("RESULT registered #{inspect(registered)}")
        # The test heals: the mesh comes back, global merges the two sides.
        :ok = Wait.until(mesh, 1800)
        :ok = :global.sync()
        Process.sleep(1000)
        IO.puts("RESULT owner #{inspect(node(:global.whereis_name(:leader)))}")
        IO.puts("RESULT colony_owner #{inspect(node(:rpc.call(colony, :global, :whereis_name, [:leader])))}")
        Wait.report_down(Process.get(:mine))
        Process.sleep(:infinity)
        """#

    @Test(
        "both sides register one name during a partition; after the heal one owner everywhere",
        .enabled(if: NetworkNamespace.isAvailable, "needs root to create network namespaces"),
        .timeLimit(.minutes(4)))
    func partition() async throws {
        let network = try await NamespaceNetwork(hosts: 4)
        var processes: [ExternalProcess] = []
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("colony-gpart-\(UUID())")
        defer {
            for process in processes { process.kill() }
            network.delete()
            try? FileManager.default.removeItem(at: directory)
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("partition.exs")
        try Self.script.write(to: script, atomically: true, encoding: .utf8)
        let all = (1...4).map(Self.name)
        for index in [1, 2] {
            let node = try network.hosts[index - 1].start(
                try ColonyBinary.url,
                [
                    "node", "--name", Self.name(index), "--listen", NamespaceNetwork.address(index), "--no-epmd",
                    "--dist-port", "4370", "--cookie", "gpart", "--tick-time", "4", "--poll-interval", "500",
                    "--epmd-hosts", all.filter { $0 != Self.name(index) }.joined(separator: ","),
                ])
            processes.append(node)
            #expect(await node.waitForOutput("started", timeout: .seconds(20)), "\(node.standardError)")
        }
        let elixir = try InteropTools.elixir()
        var elixirs: [ExternalProcess] = []
        for (index, colony, role) in [(3, 1, "colony"), (4, 2, "elixir")] {
            let address = NamespaceNetwork.address(index).replacingOccurrences(of: ".", with: ",")
            let process = try network.hosts[index - 1].start(
                elixir,
                [
                    "--name", Self.name(index), "--cookie", "gpart", "--erl",
                    "-start_epmd false -erl_epmd_port 4370 -kernel net_ticktime 4 "
                        + "-kernel inet_dist_use_interface {\(address)}",
                    script.path,
                ],
                environment: [
                    "COLONY_NODE": Self.name(colony), "ALL_NODES": all.joined(separator: ","), "ROLE": role,
                ])
            processes.append(process)
            elixirs.append(process)
        }
        for process in elixirs {
            let ready = await InteropScope.waitForLine(process, prefix: "READY", timeout: .seconds(60))
            try #require(ready != nil, "\(InteropScope.describe(process))")
        }
        try await network.cut([1, 3], from: [2, 4])
        for process in elixirs {
            let registered = await InteropScope.waitForLine(process, prefix: "RESULT registered", timeout: .seconds(60))
            try #require(registered?.contains("{:yes, ") == true, "\(InteropScope.describe(process))")
        }
        try await network.heal()
        var owners: [String] = []
        for process in elixirs {
            let colonyOwner = await InteropScope.waitForLine(
                process, prefix: "RESULT colony_owner", timeout: .seconds(120))
            try #require(colonyOwner != nil, "\(InteropScope.describe(process))")
            owners += InteropScope.lines(process, prefix: "RESULT owner").map { String($0.split(separator: " ")[2]) }
            owners.append(String(colonyOwner!.split(separator: " ")[2]))
        }
        // g1 (Colony) < g4 (Elixir): OTP's default keeps g1's process on all four nodes.
        #expect(owners == Array(repeating: ":\"\(Self.name(1))\"", count: 4), "\(owners)")
        let down = await InteropScope.waitForLine(elixirs[1], prefix: "RESULT mine_", timeout: .seconds(10))
        #expect(down == "RESULT mine_down :killed", "\(InteropScope.describe(elixirs[1]))")
    }
}
