import Colony
import Distributed
import ErlangTerm

/// The benchmark's distributed actor: `ping` answers `pong`.
distributed actor BenchActor {
    typealias ActorSystem = ColonyActorSystem

    distributed func ping() -> String { "pong" }
}

/// erlbench's rpc rows (`rpc:call(B, erlang, node, [])`, `erpc:multicall` to three nodes) and the
/// distributed actor calls that issue 5 compares with remote `gen_server:call`.
enum RPCBenchmark {
    /// 20,000 sequential `rpc(peer, erlang, node, [])` from one process.
    static func rpcCalls(node: Node, peer: Atom, reps: Int) async {
        var runs: [GenServerBenchmark.Run] = []
        for _ in 0..<reps {
            runs.append(
                await timed(node: node, count: 20_000) { process in
                    _ = try await process.rpc(peer, "erlang", "node", [])
                })
        }
        GenServerBenchmark.report(prefix: "REMOTE", name: "rpc_call", runs: runs, count: 20_000)
    }

    /// 10,000 sequential `multicall([B, C, D], erlang, node, [])`.
    static func multicalls(node: Node, peers: [Atom], reps: Int) async {
        var runs: [GenServerBenchmark.Run] = []
        for _ in 0..<reps {
            runs.append(
                await timed(node: node, count: 10_000) { process in
                    _ = try await process.multicall(peers, "erlang", "node", [])
                })
        }
        GenServerBenchmark.report(prefix: "REMOTE", name: "multicall3", runs: runs, count: 10_000)
    }

    /// Distributed actor calls to `bench_actor` on `peer`: 100,000 from one caller, then 16
    /// callers × 10,000.
    static func actorCalls(node: Node, peer: Atom, reps: Int) async {
        let system = ColonyActorSystem(node: node)
        guard let actor = try? system.resolve(name: "bench_actor", on: peer, as: BenchActor.self) else { return }
        var single: [GenServerBenchmark.Run] = []
        for _ in 0..<reps { single.append(await sequential(actor, count: 100_000)) }
        GenServerBenchmark.report(prefix: "REMOTE", name: "actor_x1", runs: single, count: 100_000)
        var sixteen: [GenServerBenchmark.Run] = []
        for _ in 0..<reps {
            let start = ContinuousClock.now
            let runs = await withTaskGroup(of: GenServerBenchmark.Run.self) { group in
                for _ in 0..<16 { group.addTask { await sequential(actor, count: 10_000) } }
                var all: [GenServerBenchmark.Run] = []
                for await run in group { all.append(run) }
                return all
            }
            sixteen.append(.init(latencies: runs.flatMap(\.latencies), total: ContinuousClock.now - start))
        }
        GenServerBenchmark.report(prefix: "REMOTE", name: "actor_x16", runs: sixteen, count: 160_000)
    }

    private static func sequential(_ actor: BenchActor, count: Int) async -> GenServerBenchmark.Run {
        var latencies: [Double] = []
        latencies.reserveCapacity(count)
        let start = ContinuousClock.now
        for _ in 0..<count {
            let t0 = ContinuousClock.now
            _ = try? await actor.ping()
            latencies.append(seconds(ContinuousClock.now - t0) * 1e9)
        }
        return .init(latencies: latencies, total: ContinuousClock.now - start)
    }

    /// `count` sequential operations in one new process, each timed.
    private static func timed(
        node: Node, count: Int, _ operation: @escaping @Sendable (ProcessContext) async throws -> Void
    ) async -> GenServerBenchmark.Run {
        let done = Completion()
        let result = Box<GenServerBenchmark.Run>()
        node.spawn { process in
            var latencies: [Double] = []
            latencies.reserveCapacity(count)
            let start = ContinuousClock.now
            for _ in 0..<count {
                let t0 = ContinuousClock.now
                try await operation(process)
                latencies.append(seconds(ContinuousClock.now - t0) * 1e9)
            }
            result.value = .init(latencies: latencies, total: ContinuousClock.now - start)
            done.finish()
        }
        await done.wait()
        return result.value ?? .init(latencies: [], total: .zero)
    }
}
