import ColonyTestSupport
import Foundation
import Testing

/// The store under real partitions: `colony node --store` processes each in a network namespace
/// of its own, an Elixir client on another host reading, writing and compare-and-setting through
/// every node while nftables cuts nodes apart and heals them. Each key's history must be
/// linearizable.
@Suite("Store: linearizable histories across real partitions", .serialized)
struct StorePartitionTests {
    static func name(_ index: Int) -> String { "sp\(index)@\(NamespaceNetwork.address(index))" }

    @Test(
        "3 and 5 colony OS processes partitioned and healed on a schedule",
        .enabled(if: NetworkNamespace.isAvailable, "needs root to create network namespaces"),
        .timeLimit(.minutes(4)), arguments: [3, 5])
    func partitions(count: Int) async throws {
        let network = try await NamespaceNetwork(hosts: count + 1)
        var processes: [ExternalProcess] = []
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("colony-spart-\(UUID())")
        defer {
            for process in processes { process.kill() }
            network.delete()
            try? FileManager.default.removeItem(at: directory)
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("store-history.exs")
        try StoreElixirHistory.script.write(to: script, atomically: true, encoding: .utf8)
        let nodes = (1...count).map(Self.name)
        let all = (1...count + 1).map(Self.name)
        for index in 1...count {
            let node = try network.hosts[index - 1].start(
                try ColonyBinary.url,
                [
                    "node", "--name", Self.name(index), "--listen", NamespaceNetwork.address(index), "--no-epmd",
                    "--dist-port", "4370", "--cookie", "spart", "--tick-time", "4", "--poll-interval", "500",
                    "--epmd-hosts", all.filter { $0 != Self.name(index) }.joined(separator: ","),
                    "--store", "jepsen", "--store-voters", nodes.joined(separator: ","),
                    "--store-dir", directory.appendingPathComponent("n\(index)").path,
                ])
            processes.append(node)
            #expect(await node.waitForOutput("started", timeout: .seconds(20)), "\(node.standardError)")
        }
        let client = count + 1
        let address = NamespaceNetwork.address(client).replacingOccurrences(of: ".", with: ",")
        let elixir = try network.hosts[client - 1].start(
            try InteropTools.elixir(),
            [
                "--name", Self.name(client), "--cookie", "spart", "--erl",
                "-start_epmd false -erl_epmd_port 4370 -kernel net_ticktime 4 "
                    + "-kernel inet_dist_use_interface {\(address)}",
                script.path,
            ],
            environment: ["COLONY_NODES": nodes.joined(separator: ","), "CLIENTS": "4", "DURATION_MS": "14000"])
        processes.append(elixir)
        let ready = await InteropScope.waitForLine(elixir, prefix: "READY", timeout: .seconds(90))
        try #require(ready != nil, "\(InteropScope.describe(elixir))")
        // A schedule of cuts: one node alone, then a minority, then the other way; heals between.
        var random = SplitMix64(seed: UInt64(count) * 17)
        for _ in 0..<3 {
            var order = Array(1...count)
            order.shuffle(using: &random)
            let minority = Array(order.prefix(1 + random.next(below: (count - 1) / 2)))
            try await network.cut(minority, from: order.filter { !minority.contains($0) })
            try await Task.sleep(for: .milliseconds(2500))
            try await network.heal()
            try await Task.sleep(for: .milliseconds(1500))
        }
        let done = await elixir.waitForOutput("DONE", timeout: .seconds(120))
        try #require(done, "\(InteropScope.describe(elixir))")
        let history = StoreElixirHistory.parse(elixir.standardOutput)
        var completed = 0
        var unknown = 0
        var delayed = 0
        for (key, ops) in history.sorted(by: { $0.key < $1.key }) {
            completed += ops.count { $0.ret != nil }
            unknown += ops.count { $0.ret == nil }
            // Held up by a cut: waited for a new leader (an election takes a second or more).
            delayed += ops.count { op in op.ret.map { $0 - op.call > .milliseconds(900) } ?? false }
            let verdict = Linearizability.check(RegisterModel(), ops)
            #expect(verdict == true, "\(key): \(ops.count) operations, verdict \(String(describing: verdict))")
        }
        print(
            "store partitions, \(count) nodes: \(completed) operations completed (\(delayed) held up by a cut), "
                + "\(unknown) of unknown outcome")
        // The cuts bit: some operation failed, or waited out an election.
        #expect(unknown + delayed > 0, "no operation failed or waited: the partitions did not bite")
        #expect(completed > 20, "only \(completed) operations completed (\(unknown) unknown)")
    }
}
