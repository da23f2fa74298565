import Colony
import ErlangTerm

/// erlbench's `bench_gs`: answers `ping` with `pong` and counts the calls.
struct BenchServer: GenServer {
    var calls = 0

    mutating func handleCall(_ request: Term, from: CallerRef, process: ProcessContext) async throws -> CallResult {
        calls += 1
        return request == "ping" ? .reply("pong") : .reply(.integer(calls))
    }
}

/// GenServer call workloads of erlbench: local sequential calls by pid, and remote calls with 1
/// and 16 concurrent callers (the remote ones run from ``RemoteBenchmark``).
enum GenServerBenchmark {
    /// Latencies (ns) and the total time of `count` sequential calls from one process.
    struct Run: Sendable {
        var latencies: [Double]
        var total: Duration
    }

    /// Local calls by pid: prints rate, p50 and p99, medians over `reps` runs.
    static func runLocal(reps: Int) async {
        let node = Node()
        var runs: [Run] = []
        for _ in 0..<reps {
            guard let server = try? await node.startServer(BenchServer()) else { return }
            runs.append(await sequentialCalls(node: node, server: .pid(server), count: 200_000))
            try? await node.stopServer(.pid(server))
        }
        report(prefix: "LOCAL", name: "gs_call_local", runs: runs, count: 200_000)
        SchedulerReport.print(after: "gs_call_local", node: node)
    }

    /// Sequential calls from one new process; returns each call's latency.
    static func sequentialCalls(node: Node, server: ServerRef, count: Int) async -> Run {
        let done = Completion()
        let result = Box<Run>()
        node.spawn { process in
            var latencies = [Double]()
            latencies.reserveCapacity(count)
            let start = ContinuousClock.now
            for _ in 0..<count {
                let t0 = ContinuousClock.now
                _ = try await process.call(server, "ping")
                latencies.append(seconds(ContinuousClock.now - t0) * 1e9)
            }
            result.value = Run(latencies: latencies, total: ContinuousClock.now - start)
            done.finish()
        }
        await done.wait()
        return result.value ?? Run(latencies: [], total: .zero)
    }

    /// `callers` processes making `perCaller` calls each at once; aggregate rate and latencies.
    static func concurrentCalls(node: Node, server: ServerRef, callers: Int, perCaller: Int) async -> Run {
        let start = ContinuousClock.now
        let runs = await withTaskGroup(of: Run.self) { group in
            for _ in 0..<callers {
                group.addTask { await sequentialCalls(node: node, server: server, count: perCaller) }
            }
            var all: [Run] = []
            for await run in group { all.append(run) }
            return all
        }
        return Run(latencies: runs.flatMap(\.latencies), total: ContinuousClock.now - start)
    }

    /// Prints `<prefix> <name>_rate`, `_p50_us` and `_p99_us`, each the median over the runs.
    static func report(prefix: String, name: String, runs: [Run], count: Int) {
        guard !runs.isEmpty else { return }
        func median(_ values: [Double]) -> Double { values.sorted()[(values.count - 1) / 2] }
        func percentile(_ sorted: [Double], _ q: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[max(0, min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
        }
        let rates = runs.map { Double(count) / seconds($0.total) }
        let sortedRuns = runs.map { $0.latencies.sorted() }
        let p50 = sortedRuns.map { percentile($0, 0.50) / 1000 }
        let p99 = sortedRuns.map { percentile($0, 0.99) / 1000 }
        print("\(prefix) \(name)_rate \(format(median(rates), 0)) 0")
        print("\(prefix) \(name)_p50_us \(format(median(p50), 2)) 0")
        print("\(prefix) \(name)_p99_us \(format(median(p99), 2)) 0")
    }
}
