import Colony
import ColonyStore
import ErlangTerm
import Foundation
import Synchronization

/// The replicated store: three nodes in this process over real connections, disc copies in a
/// temporary directory (`fdatasync` on every commit batch). Writes go to the leader's node (as
/// Mnesia's transactions run where they are called); clients are concurrent tasks.
enum StoreBenchmark {
    static func run(reps: Int, writes: Int) async throws {
        let port = 43_850 + Int.random(in: 0..<100)
        let root = NSTemporaryDirectory() + "colony-store-bench-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let names = (1...3).map { Atom("sb\($0)@127.0.0.\($0)") }
        var nodes: [Node] = []
        var stores: [Store] = []
        for (index, name) in names.enumerated() {
            var configuration = NodeConfiguration(name: name.name, cookie: "storebench")
            configuration.usesEPMD = false
            configuration.distributionPort = port
            configuration.listenAddress = "127.0.0.\(index + 1)"
            let node = try await Node.start(configuration)
            nodes.append(node)
            stores.append(
                try await Store.start(
                    on: node, settings: StoreSettings(group: "bench", voters: names, directory: "\(root)/\(index)")))
        }
        for (i, node) in nodes.enumerated() {
            for other in nodes[(i + 1)...] { _ = await node.connect(to: other.name) }
        }
        var leader: Store?
        for _ in 0..<400 where leader == nil {
            leader = stores.first { $0.status.role == .leader }
            if leader == nil { try await Task.sleep(for: .milliseconds(25)) }
        }
        guard let leader else { throw StoreError.noQuorum }
        try await leader.createTable(TableDefinition(name: "bench"))

        var round = 0
        for clients in [1, 16] {
            var rates: [Double] = []
            var p50s: [Double] = []
            var p99s: [Double] = []
            for _ in 0..<reps {
                round += 1
                let syncsBefore = leader.status.syncs
                let (elapsed, latencies) = try await writeRound(
                    leader, clients: clients, writes: writes, base: round * 10_000_000)
                rates.append(Double(writes) / seconds(elapsed))
                p50s.append(percentile(latencies, 0.50))
                p99s.append(percentile(latencies, 0.99))
                let syncs = leader.status.syncs - syncsBefore
                if clients == 16 {
                    print("STORE writes_per_sync_16 \(format(Double(writes) / Double(max(1, syncs)), 1))")
                }
            }
            print("STORE write_\(clients)_ops \(format(median(rates), 0))")
            print("STORE write_\(clients)_p50_us \(format(median(p50s), 1))")
            print("STORE write_\(clients)_p99_us \(format(median(p99s), 1))")
        }
        // Dirty (local) reads on a follower's replica, as Mnesia's dirty_read of a local copy.
        let follower = stores.first { $0 !== leader }!
        try await Task.sleep(for: .milliseconds(300))
        var readRates: [Double] = []
        let reads = 500_000
        for _ in 0..<reps {
            let started = ContinuousClock.now
            for index in 0..<reads {
                _ = try await follower.get("bench", .integer(10_000_000 + index % writes), consistency: .local)
            }
            readRates.append(Double(reads) / seconds(ContinuousClock.now - started))
        }
        print("STORE dirty_read_per_s \(format(median(readRates), 0))")
        // Linearizable reads through the leader, 16 clients.
        let linearizable = try await readRound(leader, clients: 16, reads: 20_000)
        print("STORE linearizable_read_16_per_s \(format(linearizable, 0))")
        for store in stores { await store.stop() }
        for node in nodes { await node.stop() }
    }

    static func writeRound(_ store: Store, clients: Int, writes: Int, base: Int) async throws -> (Duration, [Double]) {
        let started = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for client in 0..<clients {
                group.addTask {
                    var mine: [Double] = []
                    var index = client
                    while index < writes {
                        let begin = ContinuousClock.now
                        try await store.put("bench", .integer(base + index), .integer(index))
                        mine.append(seconds(ContinuousClock.now - begin) * 1e6)
                        index += clients
                    }
                    return mine
                }
            }
            return try await group.reduce(into: [Double]()) { $0 += $1 }
        }
        return (ContinuousClock.now - started, latencies)
    }

    static func readRound(_ store: Store, clients: Int, reads: Int) async throws -> Double {
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    var index = client
                    while index < reads {
                        _ = try await store.get("bench", .integer(10_000_000 + index))
                        index += clients
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(reads) / seconds(ContinuousClock.now - started)
    }

    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[(values.count - 1) / 2] }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func format(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
}
