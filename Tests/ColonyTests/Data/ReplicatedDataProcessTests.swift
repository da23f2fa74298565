import Colony
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// Replicated data across `colony node` OS processes, driven through the `colony_ddata` functions
/// from a test node, as any Erlang or Elixir node would.
@Suite("Data: replicated CRDTs across OS processes", .serialized)
struct ReplicatedDataProcessTests {
    typealias RPC = @Sendable (Atom, Atom, [Term]) async throws -> Term

    static func rpc(_ driver: Node) -> RPC {
        { target, function, arguments in
            try await driver.runProcess(timeout: .seconds(30)) {
                try await $0.rpc(target, "colony_ddata", function, arguments, timeout: .seconds(20))
            }
        }
    }

    /// Waits (bounded) until `check` holds for every node.
    static func eventually(
        _ names: [Atom], _ what: String, timeout: Duration = .seconds(20),
        _ check: @Sendable (Atom) async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var all = true
            for name in names where (try? await check(name)) != true { all = false }
            if all { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("not on every node within \(timeout): \(what)")
    }

    @Test(
        "3 and 5 OS processes: concurrent increments converge to their sum; a kill -9ed node comes back and catches up",
        .timeLimit(.minutes(3)), arguments: [3, 5])
    func convergeAndRecover(count: Int) async throws {
        try await InteropScope.run("ddata-processes-\(count)") { scope in
            let cookie = "ddata_os"
            let epmdPort = try await scope.startEPMD(.colony)
            let names: [Atom] = (0..<count).map { Atom("dd\(count)_\($0)@127.0.0.1") }
            var processes: [ExternalProcess] = []
            for (index, name) in names.enumerated() {
                processes.append(
                    try await scope.startColonyProcess(
                        name: name.name, cookie: cookie, epmdPort: epmdPort,
                        extra: names.prefix(index).flatMap { ["--connect", $0.name] }))
            }
            let driver = try await scope.startNode(name: "dd_driver@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
            let rpc = Self.rpc(driver)
            try await Self.eventually(names, "the replicator answers") { name in
                if case .list = try await rpc(name, "keys", []) { return true }
                return false
            }

            // Every node: 40 concurrent increments of 1..3, and an element per node and round.
            let expected = try await withThrowingTaskGroup(of: Int.self) { group in
                for (index, name) in names.enumerated() {
                    group.addTask {
                        var sum = 0
                        for round in 0..<40 {
                            let amount = 1 + (round + index) % 3
                            _ = try await rpc(name, "counter_add", [.string("hits"), .integer(amount)])
                            _ = try await rpc(name, "set_add", [.string("seen"), .string("\(name.name)-\(round)")])
                            sum += amount
                        }
                        return sum
                    }
                }
                return try await group.reduce(0, +)
            }
            try await Self.eventually(names, "hits = \(expected) and \(40 * count) elements") { name in
                let hits = try await rpc(name, "counter_value", [.string("hits")])
                guard case .list(let seen) = try await rpc(name, "set_elements", [.string("seen")]) else {
                    return false
                }
                return hits == .integer(expected) && seen.count == 40 * count
            }

            // A majority write is acknowledged by a peer before it returns.
            #expect(try await rpc(names[0], "counter_add", [.string("hits"), 5, "majority"]) == .integer(expected + 5))
            #expect(try await rpc(names[1], "counter_value", [.string("hits"), "all"]) == .integer(expected + 5))

            // kill -9 the last node; the others go on; it restarts empty (no durable keys) and
            // catches up.
            let victim = count - 1
            processes[victim].kill()
            try await Self.eventually([names[0]], "the first node sees the victim gone") { _ in
                let all = try await rpc(names[0], "counter_add", [.string("probe"), 1, "all"])
                return all != .integer(1) && all != .integer(2)
            }
            for _ in 0..<10 { _ = try await rpc(names[1], "counter_add", [.string("hits"), 1]) }
            processes[victim] = try await scope.startColonyProcess(
                name: names[victim].name, cookie: cookie, epmdPort: epmdPort,
                extra: names.prefix(victim).flatMap { ["--connect", $0.name] })
            try await Self.eventually(names, "hits = \(expected + 15) after the restart") { name in
                try await rpc(name, "counter_value", [.string("hits")]) == .integer(expected + 15)
            }
        }
    }

    @Test(
        "durable keys: a node kill -9ed and started again alone on its --ddata-dir has its data back, twice",
        .timeLimit(.minutes(3)))
    func durableAfterKill() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("colony-ddata-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await InteropScope.run("ddata-durable") { scope in
            let cookie = "ddata_durable"
            let epmdPort = try await scope.startEPMD(.colony)
            let names: [Atom] = ["ddd_a@127.0.0.1", "ddd_b@127.0.0.1"]
            let driver = try await scope.startNode(name: "ddd_driver@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
            let rpc = Self.rpc(driver)
            /// Starts node `index` on its directory and waits until its replicator answers.
            func start(_ index: Int, connectTo peers: [Atom] = []) async throws -> ExternalProcess {
                let dir = directory.appendingPathComponent(names[index].name).path
                let process = try await scope.startColonyProcess(
                    name: names[index].name, cookie: cookie, epmdPort: epmdPort,
                    extra: ["--ddata-dir", dir] + peers.flatMap { ["--connect", $0.name] })
                try await Self.eventually([names[index]], "the replicator answers") { name in
                    if case .list = try await rpc(name, "keys", []) { return true }
                    return false
                }
                return process
            }
            let a = try await start(0)
            var b = try await start(1, connectTo: [names[0]])
            for round in 0..<25 {
                for name in names {
                    _ = try await rpc(name, "counter_add", [.string("visits"), 2])
                    _ = try await rpc(name, "set_add", [.string("who"), .string("\(name.name)-\(round % 5)")])
                }
            }
            _ = try await rpc(names[1], "set_remove", [.string("who"), .string("\(names[0].name)-0")])
            let expectedSet = Set(names.flatMap { name in (0..<5).map { "\(name.name)-\($0)" } })
                .subtracting(["\(names[0].name)-0"])
            try await Self.eventually(names, "visits = 100 everywhere") { name in
                try await rpc(name, "counter_value", [.string("visits")]) == .integer(100)
            }
            // Both nodes go (kill -9); b starts again alone: no peer can give it anything back.
            a.kill()
            b.kill()
            b = try await start(1)
            #expect(try await rpc(names[1], "counter_value", [.string("visits")]) == .integer(100))
            guard case .list(let who) = try await rpc(names[1], "set_elements", [.string("who")]) else {
                Issue.record("set_elements did not answer a list")
                return
            }
            #expect(Set(who.compactMap(\.stringValue)) == expectedSet)
            // Written, acknowledged, and killed 200 ms later: the batch is on disk.
            for _ in 0..<7 { _ = try await rpc(names[1], "counter_add", [.string("visits"), -1]) }
            try await Task.sleep(for: .milliseconds(200))
            b.kill()
            b = try await start(1)
            #expect(try await rpc(names[1], "counter_value", [.string("visits")]) == .integer(93))
            // a comes back too (its own file has 100) and meets b: both agree on b's later count.
            _ = try await start(0, connectTo: [names[1]])
            try await Self.eventually(names, "visits = 93 on both after a rejoins") { name in
                try await rpc(name, "counter_value", [.string("visits")]) == .integer(93)
            }
        }
    }

    @Test(
        "writes timed around the gossip interval on 3 nodes: none is lost (delta_crdt issue 65's pattern)",
        .timeLimit(.minutes(3)))
    func noLostKeysAtTheSyncInterval() async throws {
        try await InteropScope.run("ddata-interval") { scope in
            let cookie = "ddata_interval"
            let epmdPort = try await scope.startEPMD(.colony)
            let names: [Atom] = ["ddi_a@127.0.0.1", "ddi_b@127.0.0.1", "ddi_c@127.0.0.1"]
            for (index, name) in names.enumerated() {
                _ = try await scope.startColonyProcess(
                    name: name.name, cookie: cookie, epmdPort: epmdPort,
                    extra: names.prefix(index).flatMap { ["--connect", $0.name] })
            }
            let driver = try await scope.startNode(name: "ddi_driver@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
            let rpc = Self.rpc(driver)
            try await Self.eventually(names, "the replicator answers") { name in
                if case .list = try await rpc(name, "keys", []) { return true }
                return false
            }
            // The default gossip interval is 1 s: writes land just before, at and just after each
            // tick, from every node at once, for 5 intervals.
            let offsets: [Duration] = [.milliseconds(-20), .zero, .milliseconds(5), .milliseconds(20)]
            var written = 0
            let start = ContinuousClock.now
            for interval in 1...5 {
                for (index, offset) in offsets.enumerated() {
                    let at = start + .seconds(interval) + offset
                    try await Task.sleep(until: at, clock: .continuous)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for name in names {
                            group.addTask {
                                _ = try await rpc(
                                    name, "set_add", [.string("keys"), .string("\(name.name)-\(interval)-\(index)")])
                            }
                        }
                        try await group.waitForAll()
                    }
                    written += names.count
                }
            }
            let total = written
            try await Self.eventually(names, "all \(total) keys") { name in
                guard case .list(let keys) = try await rpc(name, "set_elements", [.string("keys")]) else {
                    return false
                }
                return keys.count == total
            }
        }
    }
}
