import Colony
import ColonyData
import ErlangTerm

/// `ddata`: the replicator's costs, on nodes in this process connected over TCP on loopback.
/// OTP has no replicated CRDT store of its own (and `delta_crdt` cannot be fetched here), so the
/// figures stand alone against the goals:
/// - the cost of one local update (goal under 1 µs);
/// - updates/s of a PNCounter replicated to 3 nodes: N local updates on A until B and C hold N;
///   and majority writes/s (each acknowledged by a peer);
/// - time from a heal to convergence, in gossip intervals (goal within 2);
/// - an ORMap (LWWMap) of ENTRIES keys reaching a newly joined node: time and bytes; then the
///   bytes to catch up a node that missed 1% of the updates.
enum DDataBenchmark {
    static let interval: Duration = .milliseconds(500)

    /// The median cost of one local update of a PN-counter, in nanoseconds, over `reps` runs.
    static func aloneCost(_ replicator: Replicator, reps: Int, updates: Int) async throws -> Double {
        var alone: [Double] = []
        for rep in 1...reps {
            alone.append(try await timeUpdates(replicator, DataKey<PNCounter>("alone\(rep)"), updates))
        }
        return median(alone)
    }

    /// `updates` local increments of `key`; nanoseconds per update.
    static func timeUpdates(_ replicator: Replicator, _ key: DataKey<PNCounter>, _ updates: Int) async throws -> Double
    {
        let start = ContinuousClock.now
        for _ in 0..<updates { try await replicator.update(key) { $0.increment(by: 1, at: $1) } }
        return nanoseconds(ContinuousClock.now - start) / Double(updates)
    }

    /// `ddata-local`: only the cost of a local update, on a node without peers (for profiling).
    static func runLocal(reps: Int, updates: Int) async throws {
        var configuration = NodeConfiguration(name: "ddlocal@127.0.0.1", cookie: "ddbench")
        configuration.usesEPMD = false
        configuration.distributionPort = 43_690
        configuration.listenAddress = "127.0.0.1"
        let node = try await Node.start(configuration)
        let replicator = try await Replicator.start(on: node)
        print(
            "DDATA local_update_alone_ns \(updates) \(format(try await aloneCost(replicator, reps: reps, updates: updates), 1))"
        )
        await replicator.stop()
        await node.stop()
    }

    static func run(reps: Int, updates: Int, entries: Int) async throws {
        let port = 43_700 + Int.random(in: 0..<150)
        func start(_ index: Int) async throws -> (Node, Replicator) {
            var configuration = NodeConfiguration(name: "dd\(index)@127.0.0.\(index)", cookie: "ddbench")
            configuration.usesEPMD = false
            configuration.distributionPort = port
            configuration.listenAddress = "127.0.0.\(index)"
            let node = try await Node.start(configuration)
            var settings = ReplicatorSettings()
            settings.gossipInterval = interval
            settings.transferLimit = 5000
            settings.measuresTransfers = true
            return (node, try await Replicator.start(on: node, settings: settings))
        }
        let (a, ra) = try await start(1)
        let (b, rb) = try await start(2)
        let (c, rc) = try await start(3)
        _ = await a.connect(to: b.name)
        _ = await a.connect(to: c.name)
        _ = await b.connect(to: c.name)
        try await waitFor { ra.peers.count == 2 && rb.peers.count == 2 && rc.peers.count == 2 }

        // One update's cost on a node without peers: the lock, the mutation, the change record.
        let (lone, rLone) = try await start(9)
        print(
            "DDATA local_update_alone_ns \(updates) \(format(try await aloneCost(rLone, reps: reps, updates: updates), 1))"
        )
        await rLone.stop()
        await lone.stop()

        var local: [Double] = []
        var replicated: [Double] = []
        var majority: [Double] = []
        var heals: [Double] = []
        for rep in 1...reps {
            let key = DataKey<PNCounter>("bench\(rep)")
            var start = ContinuousClock.now
            local.append(try await timeUpdates(ra, key, updates))
            try await waitFor {
                let (bv, cv) = (try await rb.get(key)?.value, try await rc.get(key)?.value)
                return bv == Int64(updates) && cv == Int64(updates)
            }
            replicated.append(Double(updates) / seconds(ContinuousClock.now - start))

            let writes = max(1, updates / 100)
            start = ContinuousClock.now
            for _ in 0..<writes { try await ra.update(key, consistency: .majority) { $0.increment(by: 1, at: $1) } }
            majority.append(Double(writes) / seconds(ContinuousClock.now - start))

            // Heal: c is cut off while a makes 1,000 updates; time from reconnecting until c has them.
            let healKey = DataKey<ORSet<Int>>("heal\(rep)")
            _ = await c.disconnect(a.name)
            _ = await c.disconnect(b.name)
            while ra.peers[c.name] == true || rb.peers[c.name] == true { try await Task.sleep(for: .milliseconds(5)) }
            for i in 0..<1000 { try await ra.update(healKey) { $0.insert(i, at: $1) } }
            start = ContinuousClock.now
            _ = await c.connect(to: a.name)
            _ = await c.connect(to: b.name)
            try await waitFor { try await rc.get(healKey)?.count == 1000 }
            heals.append(milliseconds(ContinuousClock.now - start))
        }
        print("DDATA local_update_replicating_ns \(updates) \(format(median(local), 1))")
        print("DDATA replicated_updates_per_s \(updates) \(format(median(replicated), 1))")
        print("DDATA majority_writes_per_s \(max(1, updates / 100)) \(format(median(majority), 1))")
        print(
            "DDATA heal_to_convergence_ms 1000 \(format(median(heals), 1)) "
                + "(\(format(median(heals) / milliseconds(interval), 2)) gossip intervals)")

        // Scale: ENTRIES keys on a and b, then d joins; then d misses 1% and catches up.
        let map = DataKey<LWWMap<String, Int>>("scale")
        for i in 0..<entries { try await ra.update(map) { $0.put("key\(i)", i, at: $1) } }
        try await waitFor(timeout: .seconds(600)) { try await rb.get(map)?.count == entries }
        try await waitForQuiet([ra, rb, rc])
        let (d, rd) = try await start(4)
        let before = [ra, rb, rc, rd].map(\.statistics)
        var start = ContinuousClock.now
        _ = await d.connect(to: a.name)
        _ = await d.connect(to: b.name)
        _ = await d.connect(to: c.name)
        // Watched by d's merge count, not by reading the map: a reader holding the value while
        // the replicator merges the next chunk would make it copy the whole map.
        try await waitFor(timeout: .seconds(600)) { rd.statistics.partsMerged >= entries }
        try await waitFor(timeout: .seconds(600)) { try await rd.get(map)?.count == entries }
        let joinTime = seconds(ContinuousClock.now - start)
        // The peers then pull from d, which offers its digests back: let that traffic end, and
        // count it as part of the join.
        try await waitForQuiet([ra, rb, rc, rd])
        let (joinBytes, joinParts) = transferred(since: before, by: [ra, rb, rc, rd])
        let copy = try ETF.encode(try TermEncoder().encode(try await ra.get(map) ?? LWWMap())).count
        print(
            "DDATA join_\(entries)_keys_s \(entries) \(format(joinTime, 2)) bytes \(joinBytes) parts \(joinParts) "
                + "(\(format(Double(joinBytes) / Double(copy), 2)) copies of the map's \(copy) bytes)")
        for peer in [a, b, c] { _ = await d.disconnect(peer.name) }
        while ra.peers[d.name] == true || rb.peers[d.name] == true || rc.peers[d.name] == true {
            try await Task.sleep(for: .milliseconds(5))
        }
        let missed = max(1, entries / 100)
        for i in 0..<missed { try await ra.update(map) { $0.put("key\(i * 100)", -(i + 1), at: $1) } }
        try await waitFor {
            let (bv, cv) = (try await rb.get(map)?["key0"], try await rc.get(map)?["key0"])
            return bv == -1 && cv == -1
        }
        try await waitForQuiet([ra, rb, rc])
        precondition(d.nodes().isEmpty, "d was reconnected while it should miss the updates")
        let beforeCatchUp = [ra, rb, rc, rd].map(\.statistics)
        start = ContinuousClock.now
        for peer in [a, b, c] { _ = await d.connect(to: peer.name) }
        try await waitFor(timeout: .seconds(600)) { try await rd.get(map)?["key\((missed - 1) * 100)"] == -missed }
        let catchUpTime = seconds(ContinuousClock.now - start)
        // Once d holds the updates, the traffic it sets off (the peers pulling d's merges back as
        // digests) is let end and counted too.
        try await waitForQuiet([ra, rb, rc, rd])
        let (catchUpBytes, catchUpParts) = transferred(since: beforeCatchUp, by: [ra, rb, rc, rd])
        print(
            "DDATA catch_up_1pct_s \(missed) \(format(catchUpTime, 2)) bytes \(catchUpBytes) parts \(catchUpParts) "
                + "(\(format(100 * Double(catchUpBytes) / Double(copy), 2))% of one copy of the map)")

        for replicator in [ra, rb, rc, rd] { await replicator.stop() }
        for node in [a, b, c, d] { await node.stop() }
    }

    /// Bytes of anti-entropy (digests, fetches, parts) and parts `replicators` sent since `before`.
    static func transferred(since before: [ReplicatorStatistics], by replicators: [Replicator]) -> (Int, Int) {
        let after = replicators.map(\.statistics)
        let bytes = zip(after, before).reduce(0) { $0 + $1.0.bytesSent - $1.1.bytesSent }
        let parts = zip(after, before).reduce(0) { $0 + $1.0.partsSent - $1.1.partsSent }
        return (bytes, parts)
    }

    /// Waits until three gossip rounds in a row move no part between `replicators`.
    static func waitForQuiet(_ replicators: [Replicator]) async throws {
        var quiet = 0
        var moved = replicators.map(\.statistics.partsMoved)
        while quiet < 3 {
            try await Task.sleep(for: interval)
            let now = replicators.map(\.statistics.partsMoved)
            quiet = now == moved ? quiet + 1 : 0
            moved = now
        }
    }

    static func waitFor(timeout: Duration = .seconds(60), _ check: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !check() {
            guard ContinuousClock.now < deadline else { fatalError("ddata bench: not converged within \(timeout)") }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[(values.count - 1) / 2] }

    static func nanoseconds(_ duration: Duration) -> Double { seconds(duration) * 1e9 }
    static func milliseconds(_ duration: Duration) -> Double { seconds(duration) * 1e3 }
}

extension ReplicatorStatistics {
    /// Parts offered as digests, asked for and sent: still while no anti-entropy moves anything
    /// (an empty answer to a pull still costs a few bytes every round).
    fileprivate var partsMoved: Int { partsDigested + partsFetched + partsSent }
}
