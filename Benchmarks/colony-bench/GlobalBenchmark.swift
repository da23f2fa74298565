import Colony
import ColonyGroups
import ErlangTerm

/// `global`, Colony's side of scripts/bench's global section: three nodes in this process,
/// connected over TCP on loopback (OTP's side uses two peer nodes in other OS processes), each
/// running its name server. Node A registers COUNT names one after the other (each under
/// global's lock on the three nodes, as OTP's registrar takes it), then looks one up LOOKUPS times.
enum GlobalBenchmark {
    static func run(reps: Int, count: Int, lookups: Int) async throws {
        let port = 43_500 + Int.random(in: 0..<150)
        func configuration(_ name: String, _ address: String) -> NodeConfiguration {
            var configuration = NodeConfiguration(name: name, cookie: "globalbench")
            configuration.usesEPMD = false
            configuration.distributionPort = port
            configuration.listenAddress = address
            return configuration
        }
        let nodes = [
            try await Node.start(configuration("gb_a@127.0.0.1", "127.0.0.1")),
            try await Node.start(configuration("gb_b@127.0.0.2", "127.0.0.2")),
            try await Node.start(configuration("gb_c@127.0.0.3", "127.0.0.3")),
        ]
        var names: [GlobalNames] = []
        for node in nodes { names.append(try await GlobalNames.start(on: node)) }
        _ = await nodes[0].connect(to: nodes[1].name)
        _ = await nodes[0].connect(to: nodes[2].name)
        _ = await nodes[1].connect(to: nodes[2].name)
        for global in names { await global.sync() }
        precondition(names[0].knownNodes.count == 2, "the three nodes did not sync: \(names[0].knownNodes)")
        let a = nodes[0]
        var registers: [Double] = []
        var finds: [Double] = []
        for rep in 1...reps {
            let pids = (0..<count).map { _ in a.spawn { process in _ = try await process.receive() } }
            let start = ContinuousClock.now
            for (index, pid) in pids.enumerated() {
                let done = await names[0].register(.tuple(["bench", .integer(rep), .integer(index)]), pid)
                precondition(done)
            }
            registers.append(Double(count) / seconds(ContinuousClock.now - start))
            for index in 0..<count { await names[0].unregister(.tuple(["bench", .integer(rep), .integer(index)])) }
            for pid in pids { await a.send("stop", to: pid) }

            let holder = a.spawn { process in _ = try await process.receive() }
            // The name made once, as OTP's side has an atom literal (not interned on each lookup).
            let lookupName: Term = "bench_lookup"
            let registered = await names[0].register(lookupName, holder)
            precondition(registered)
            let lookupStart = ContinuousClock.now
            for _ in 0..<lookups { precondition(names[0].whereis(lookupName) == holder) }
            finds.append(Double(lookups) / seconds(ContinuousClock.now - lookupStart))
            await names[0].unregister(lookupName)
            await a.send("stop", to: holder)
        }
        print("GLOBAL register \(count) \(format(median(registers), 1))")
        print("GLOBAL whereis \(lookups) \(format(median(finds), 1))")
        for global in names { await global.stop() }
        for node in nodes { await node.stop() }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[(values.count - 1) / 2] }
}
