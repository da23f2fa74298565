import ColonyTestSupport
import Foundation
import Testing

/// Real partitions: `colony node` processes, each in a network namespace of its own on one
/// bridged LAN (``NamespaceNetwork``), keep each other connected (`--epmd-hosts`) and run the
/// membership view and a split-brain resolver. The test cuts the LAN in two with nftables drops,
/// checks which side each strategy keeps (from what each node prints), heals the cut, and checks
/// that the cluster re-forms: the kept side reports the partition healed with its duration, the
/// waiting side resumes. Every namespace, link, rule and process goes at the end, also on failure.
@Suite("Cluster: partitions in network namespaces", .serialized)
struct PartitionNamespaceTests {
    struct Scenario: CustomStringConvertible {
        var nodes: Int
        var strategy: String
        var side: [Int]
        var other: [Int]
        /// The nodes expected to keep running; every other one loses.
        var kept: Set<Int>
        var action = "wait"

        var description: String { "\(strategy), \(nodes) nodes, \(side) | \(other)" }
    }

    static func name(_ index: Int) -> String { "p\(index)@\(NamespaceNetwork.address(index))" }

    /// Starts the nodes in order (node 1 is the oldest), waits until each sees every other up,
    /// cuts, checks the decisions, heals and checks the cluster re-forms.
    func run(_ scenario: Scenario) async throws {
        let network = try await NamespaceNetwork(hosts: scenario.nodes)
        var processes: [ExternalProcess] = []
        defer {
            for process in processes { process.kill() }
            network.delete()
        }
        let colony = try ColonyBinary.url
        let all = Array(1...scenario.nodes)
        for index in all {
            let peers = all.filter { $0 != index }.map(Self.name).joined(separator: ",")
            let node = try network.hosts[index - 1].start(
                colony,
                [
                    "node", "--name", Self.name(index), "--listen", NamespaceNetwork.address(index), "--no-epmd",
                    "--dist-port", "4370", "--cookie", "partition", "--epmd-hosts", peers, "--probe-interval", "300",
                    "--suspicion-timeout", "1000", "--split-brain", scenario.strategy, "--stable-after", "3000",
                    "--split-brain-action", scenario.action, "--poll-interval", "500",
                ])
            processes.append(node)
            // One at a time, so that start times (keep-oldest) follow the index.
            #expect(await node.waitForOutput("started", timeout: .seconds(20)), "\(node.standardError)")
        }
        func lastStatus(_ node: Int, of other: Int) -> String? {
            let prefix = "member '\(Self.name(other))' "
            return processes[node - 1].standardOutput.split(separator: "\n").last { $0.hasPrefix(prefix) }?
                .split(separator: " ").last.map(String.init)
        }
        func notUp() -> [String] {
            all.flatMap { node in
                all.filter { $0 != node && lastStatus(node, of: $0) != "up" }.map { "\(node)→\($0)" }
            }
        }
        try await waitUntil(seconds: 30) { notUp().isEmpty }
        try #require(notUp().isEmpty, "\(scenario): not formed: \(notUp())")

        try await network.cut(scenario.side, from: scenario.other)
        let cutAt = ContinuousClock.now
        func decided(_ node: Int) -> Bool {
            let output = processes[node - 1].standardOutput
            return output.contains("split brain: kept") || output.contains("split brain: lost")
        }
        try await waitUntil(seconds: 60) { all.allSatisfy(decided) }
        let decidedAfter = ContinuousClock.now - cutAt
        for node in all {
            let output = processes[node - 1].standardOutput
            if scenario.kept.contains(node) {
                let mine = scenario.side.contains(node) ? scenario.side : scenario.other
                // Every member of the other side is downed (in one decision, or more if the view changed).
                let downed = Set(
                    output.split(separator: "\n").filter { $0.hasPrefix("split brain: kept, downing ") }
                        .flatMap {
                            $0.dropFirst("split brain: kept, downing ".count).split(separator: ",").map(String.init)
                        })
                #expect(
                    downed == Set(all.filter { !mine.contains($0) }.map(Self.name))
                        && !output.contains("split brain: lost"),
                    "\(scenario): node \(node): \(output)")
            } else {
                #expect(
                    output.contains("split brain: lost, \(scenario.action)") && !output.contains("split brain: kept"),
                    "\(scenario): node \(node): \(output)")
            }
        }
        if scenario.action == "shutdown" {
            for node in all where !scenario.kept.contains(node) {
                #expect(await processes[node - 1].wait(timeout: .seconds(20)) == 3, "\(scenario): node \(node) exit")
            }
            return
        }

        try await network.heal()
        // The kept side reports the partition healed; the losing side resumes; all are up again.
        func healed(_ node: Int) -> Bool {
            let output = processes[node - 1].standardOutput
            return scenario.kept.contains(node)
                ? output.contains("partition healed after") : output.contains("split brain: resumed")
        }
        try await waitUntil(seconds: 60) { all.allSatisfy(healed) && notUp().isEmpty }
        #expect(notUp().isEmpty, "\(scenario): not re-formed: \(notUp())")
        for node in all {
            let output = processes[node - 1].standardOutput
            #expect(healed(node), "\(scenario): node \(node) did not heal: \(output)")
            guard scenario.kept.contains(node) else { continue }
            // The healed event carries how long the partition lasted: at least from the cut to the decision.
            let line = output.split(separator: "\n").first { $0.hasPrefix("partition healed after ") }
            let milliseconds = line.flatMap { Int($0.split(separator: " ")[3]) } ?? -1
            #expect(
                milliseconds > 0 && milliseconds < Int(decidedAfter.components.seconds + 90) * 1000,
                "\(scenario): node \(node): \(line ?? "no healed line")")
        }
        for process in processes { #expect(process.isRunning, "\(scenario): a node stopped: \(process.standardError)") }
    }

    func waitUntil(seconds: Int, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline, !condition() { try await Task.sleep(for: .milliseconds(100)) }
    }

    @Test(
        "each split-brain strategy keeps the right side, and the cluster re-forms after the heal",
        .enabled(if: NetworkNamespace.isAvailable, "needs root to create network namespaces"),
        .timeLimit(.minutes(10)))
    func strategies() async throws {
        let scenarios = [
            Scenario(nodes: 3, strategy: "keep-majority", side: [1, 2], other: [3], kept: [1, 2]),
            Scenario(nodes: 5, strategy: "keep-majority", side: [1, 2], other: [3, 4, 5], kept: [3, 4, 5]),
            Scenario(nodes: 5, strategy: "static-quorum:4", side: [1, 2, 3], other: [4, 5], kept: []),
            Scenario(nodes: 3, strategy: "keep-oldest", side: [1], other: [2, 3], kept: [1]),
            Scenario(
                nodes: 5, strategy: "keep-oldest:down-if-alone", side: [1], other: [2, 3, 4, 5], kept: [2, 3, 4, 5]),
            Scenario(nodes: 3, strategy: "keep-referee:\(Self.name(2))", side: [2], other: [1, 3], kept: [2]),
            Scenario(nodes: 3, strategy: "down-all", side: [1, 2], other: [3], kept: []),
        ]
        for scenario in scenarios { try await run(scenario) }
    }

    @Test(
        "with the shutdown action the losing side's nodes exit with status 3",
        .enabled(if: NetworkNamespace.isAvailable, "needs root to create network namespaces"),
        .timeLimit(.minutes(3)))
    func shutdownAction() async throws {
        try await run(
            Scenario(nodes: 3, strategy: "keep-majority", side: [1, 2], other: [3], kept: [1, 2], action: "shutdown"))
    }
}
