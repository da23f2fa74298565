import ColonyTestSupport
import Foundation
import Testing

/// The store's histories under a nemesis, on fixed seeds (`scripts/store-jepsen` runs more).
@Suite("Store: linearizable histories under kill -9 and pauses", .serialized)
struct StoreHistoryTests {
    static var seeds: Int {
        Int(ProcessInfo.processInfo.environment["COLONY_STORE_SCHEDULES"] ?? "") ?? 10
    }

    @Test("3 and 5 colony OS processes, 10 schedules each", .timeLimit(.minutes(8)), arguments: [3, 5])
    func schedules(count: Int) async throws {
        try await InteropScope.run("store-history-\(count)") { scope in
            let run = try await StoreHistory(scope: scope, prefix: "sh\(count)_", count: count)
            for seed in 0..<UInt64(Self.seeds) {
                try await run.schedule(seed: seed + UInt64(count) * 1000)
            }
        }
    }
}

extension StoreHistoryTests {
    @Test("clients in Elixir through colony_store, while a node is killed and paused", .timeLimit(.minutes(4)))
    func elixirClients() async throws {
        try await InteropScope.run("store-history-elixir") { scope in
            let run = try await StoreHistory(scope: scope, prefix: "shx_", count: 3)
            let elixir = try await scope.startElixirScript(
                StoreElixirHistory.script, file: "store_history.exs", name: "shx_elixir@127.0.0.1",
                cookie: run.cookie, epmdPort: run.epmdPort, colony: run.names[0],
                environment: [
                    "COLONY_NODES": run.names.map(\.name).joined(separator: ","), "CLIENTS": "4",
                    "DURATION_MS": "6000",
                ])
            try await run.nemesis(seed: 77, faults: 3)
            let done = await elixir.waitForOutput("DONE", timeout: .seconds(60))
            try #require(done, "\(InteropScope.describe(elixir))")
            let history = StoreElixirHistory.parse(elixir.standardOutput)
            var completed = 0
            for (key, ops) in history.sorted(by: { $0.key < $1.key }) {
                completed += ops.count { $0.ret != nil }
                let verdict = Linearizability.check(RegisterModel(), ops)
                #expect(verdict == true, "\(key): \(ops.count) operations, verdict \(String(describing: verdict))")
            }
            #expect(completed > 20, "only \(completed) operations completed")
        }
    }
}
