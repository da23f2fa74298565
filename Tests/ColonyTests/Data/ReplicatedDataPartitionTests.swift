import ColonyTestSupport
import Foundation
import Testing

/// A real partition (network namespaces, nftables drops) through three or five `colony node` processes
/// while both sides keep updating a PN-counter and an ORSet. An Elixir driver on each side makes
/// the updates through `colony_ddata` rpc calls; after the heal every node holds the sum of all
/// acknowledged increments and every element added.
@Suite("Data: replicated CRDTs across a real partition", .serialized)
struct ReplicatedDataPartitionTests {
    static func name(_ index: Int) -> String { "d\(index)@\(NamespaceNetwork.address(index))" }

    static let script = #"""
        defmodule Wait do
        \#(ElixirWait.until)
        end
        me = node()
        mine = System.get_env("MINE") |> String.split(",") |> Enum.map(&String.to_atom/1)
        all = (System.get_env("ALL_NODES") |> String.split(",") |> Enum.map(&String.to_atom/1)) -- [me]
        colonies = System.get_env("COLONIES") |> String.split(",") |> Enum.map(&String.to_atom/1)
        side = System.get_env("SIDE")
        total = String.to_integer(System.get_env("TOTAL"))
        elements = String.to_integer(System.get_env("ELEMENTS"))
        mesh = fn -> Enum.each(all -- Node.list(), &Node.connect/1); Enum.all?(all, &(&1 in Node.list())) end
        add = fn round ->
          for c <- mine do
            n = :rpc.call(c, :colony_ddata, :counter_add, ["hits", 1 + rem(round, 3)])
            true = is_integer(n)
            :ok = :rpc.call(c, :colony_ddata, :set_add, ["seen", "#{side}-#{c}-#{round}"])
          end
          Enum.count(mine) * (1 + rem(round, 3))
        end
        :ok = Wait.until(mesh)
        ready = fn -> Enum.all?(colonies, fn c -> is_list(:rpc.call(c, :colony_ddata, :keys, [])) end) end
        :ok = Wait.until(ready)
        before = Enum.sum(for r <- 0..9, do: add.(r))
        IO.puts("READY #{before}")
        # The test cuts the network: this side keeps updating its own nodes.
        :ok = Wait.until(fn -> Enum.sort(Node.list()) == Enum.sort(mine) end)
        during = Enum.sum(for r <- 10..29, do: add.(r))
        IO.puts("RESULT during #{during}")
        IO.puts("RESULT partial #{:rpc.call(hd(mine), :colony_ddata, :counter_value, ["hits"])}")
        # The test heals: every node converges on the total the test computed from both sides.
        :ok = Wait.until(mesh, 1800)
        converged = fn ->
          Enum.all?(colonies, fn c ->
            :rpc.call(c, :colony_ddata, :counter_value, ["hits"]) == total and
              length(:rpc.call(c, :colony_ddata, :set_elements, ["seen"])) == elements
          end)
        end
        IO.puts("RESULT converged #{inspect(Wait.until(converged, 600))}")
        values = for c <- colonies, do: :rpc.call(c, :colony_ddata, :counter_value, ["hits"])
        IO.puts("RESULT values #{inspect(values)}")
        Process.sleep(:infinity)
        """#

    @Test(
        "3 and 5 Colony OS processes updated on both sides of a partition agree on the sum after the heal",
        .enabled(if: NetworkNamespace.isAvailable, "needs root to create network namespaces"),
        .timeLimit(.minutes(4)), arguments: [3, 5])
    func partition(count: Int) async throws {
        let network = try await NamespaceNetwork(hosts: count + 2)
        var processes: [ExternalProcess] = []
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("colony-dpart-\(UUID())")
        defer {
            for process in processes { process.kill() }
            network.delete()
            try? FileManager.default.removeItem(at: directory)
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("ddata-partition.exs")
        try Self.script.write(to: script, atomically: true, encoding: .utf8)
        let all = (1...count + 2).map(Self.name)
        let colonies = (1...count).map(Self.name)
        // Side A: the minority of the Colony nodes and its driver; side B: the rest and theirs.
        let sideA = Array(1...(count - 1) / 2)
        let sideB = Array((count - 1) / 2 + 1...count)
        let (driverA, driverB) = (count + 1, count + 2)
        for index in 1...count {
            let node = try network.hosts[index - 1].start(
                try ColonyBinary.url,
                [
                    "node", "--name", Self.name(index), "--listen", NamespaceNetwork.address(index), "--no-epmd",
                    "--dist-port", "4370", "--cookie", "dpart", "--tick-time", "4", "--poll-interval", "500",
                    "--epmd-hosts", all.filter { $0 != Self.name(index) }.joined(separator: ","),
                ])
            processes.append(node)
            #expect(await node.waitForOutput("started", timeout: .seconds(20)), "\(node.standardError)")
        }
        // Each side's increments per round: its node count x (1 + round mod 3), 30 rounds; one
        // element per node and round.
        let perRound = (0..<30).map { 1 + $0 % 3 }.reduce(0, +)
        let total = count * perRound
        let elements = count * 30
        let elixir = try InteropTools.elixir()
        var drivers: [ExternalProcess] = []
        for (index, mine, side) in [(driverA, sideA, "a"), (driverB, sideB, "b")] {
            let address = NamespaceNetwork.address(index).replacingOccurrences(of: ".", with: ",")
            let process = try network.hosts[index - 1].start(
                elixir,
                [
                    "--name", Self.name(index), "--cookie", "dpart", "--erl",
                    "-start_epmd false -erl_epmd_port 4370 -kernel net_ticktime 4 "
                        + "-kernel inet_dist_use_interface {\(address)}",
                    script.path,
                ],
                environment: [
                    "MINE": mine.map(Self.name).joined(separator: ","), "ALL_NODES": all.joined(separator: ","),
                    "COLONIES": colonies.joined(separator: ","), "SIDE": side, "TOTAL": String(total),
                    "ELEMENTS": String(elements),
                ])
            processes.append(process)
            drivers.append(process)
        }
        for process in drivers {
            let ready = await InteropScope.waitForLine(process, prefix: "READY", timeout: .seconds(90))
            try #require(ready != nil, "\(InteropScope.describe(process))")
        }
        try await network.cut(sideA + [driverA], from: sideB + [driverB])
        for process in drivers {
            let during = await InteropScope.waitForLine(process, prefix: "RESULT during", timeout: .seconds(90))
            try #require(during != nil, "\(InteropScope.describe(process))")
            // While cut off, a side sees its own increments, not the other side's.
            let partial = await InteropScope.waitForLine(process, prefix: "RESULT partial", timeout: .seconds(10))
            let seen = partial.flatMap { Int($0.split(separator: " ")[2]) } ?? total
            #expect(seen < total, "a side saw \(seen) of \(total) while partitioned")
        }
        try await network.heal()
        for process in drivers {
            let converged = await InteropScope.waitForLine(process, prefix: "RESULT converged", timeout: .seconds(150))
            #expect(converged == "RESULT converged :ok", "\(InteropScope.describe(process))")
            let values = await InteropScope.waitForLine(process, prefix: "RESULT values", timeout: .seconds(10))
            let expected = Array(repeating: "\(total)", count: count).joined(separator: ", ")
            #expect(values == "RESULT values [\(expected)]", "\(values ?? "none")")
        }
    }
}
