import Colony
import ColonyGroups
import ErlangTerm

/// `pg` propagation, Colony's side of scripts/bench's pg section: node A starts COUNT processes
/// that each join one group with their own `join` (no batching by the caller); node B, connected
/// over TCP on loopback, counts the joins its scope reports (`changes()`, as OTP's side counts
/// `pg:monitor` notifications) until it has seen all of them. Both nodes live in this process (OTP's
/// side uses a peer node in another OS process).
enum PGBenchmark {
    static func run(reps: Int, count: Int) async throws {
        let port = 43_700 + Int.random(in: 0..<200)
        func configuration(_ name: String, _ address: String) -> NodeConfiguration {
            var configuration = NodeConfiguration(name: name, cookie: "pgbench")
            configuration.usesEPMD = false
            configuration.distributionPort = port
            configuration.listenAddress = address
            return configuration
        }
        let a = try await Node.start(configuration("pgb_a@127.0.0.1", "127.0.0.1"))
        let b = try await Node.start(configuration("pgb_b@127.0.0.2", "127.0.0.2"))
        let groupsA = try await ProcessGroups.start(on: a)
        let groupsB = try await ProcessGroups.start(on: b)
        _ = await a.connect(to: b.name)
        var times: [Double] = []
        for rep in 1...reps {
            let group: Term = .tuple(["bench", .integer(rep)])
            let changes = groupsB.changes()
            let start = ContinuousClock.now
            var pids: [PID] = []
            for _ in 0..<count {
                pids.append(
                    a.spawn { process in
                        try await groupsA.join(group, [process.pid])
                        _ = try await process.receive()
                    })
            }
            var seen = 0
            for await change in changes {
                if case .join(group, let joined) = change { seen += joined.count }
                if seen >= count { break }
            }
            let elapsed = ContinuousClock.now - start
            precondition(groupsB.members(group).count == count)
            times.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
            for pid in pids { await a.send("stop", to: pid) }
            while !groupsB.members(group).isEmpty { try await Task.sleep(for: .milliseconds(1)) }
        }
        times.sort()
        print("PG join_propagation \(count) \(format(times[(times.count - 1) / 2], 1))")
        await groupsA.stop()
        await groupsB.stop()
        await a.stop()
        await b.stop()
    }
}
