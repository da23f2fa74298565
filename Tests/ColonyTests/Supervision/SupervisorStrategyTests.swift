import Colony
import ErlangTerm
import Testing

/// Real supervisors over real GenServer children: which children each strategy restarts, in
/// which order they stop and start, and how the restart types treat each kind of exit.
@Suite("Supervisor: strategies and restart types", .timeLimit(.minutes(1)))
struct SupervisorStrategyTests {
    let node = Node()
    static let ids: [Term] = ["a", "b", "c"]

    @Test(
        "every strategy × a crash of the first, middle and last child",
        arguments: [SupervisorStrategy.oneForOne, .oneForAll, .restForOne], [0, 1, 2])
    func strategy(strategy: SupervisorStrategy, crashed: Int) async throws {
        let journal = Journal()
        let pid = try await node.startSupervisor(
            strategy: strategy, children: Self.ids.map { worker($0, journal) })
        let supervisor = SupervisorRef(.pid(pid), on: node)
        #expect(try await journal.entries(count: 3) == Self.ids.map(started))
        let before = try await supervisor.pids()

        let victim = Self.ids[crashed]
        await node.cast(.pid(before[victim]!), "crash")

        // The crashed child's own terminate, then the siblings the strategy stops (reverse start
        // order, reason shutdown), then the restarts in start order.
        let restarted: [Int]
        switch strategy {
        case .oneForOne: restarted = [crashed]
        case .oneForAll: restarted = [0, 1, 2]
        case .restForOne: restarted = Array(crashed..<3)
        }
        let stopped = restarted.filter { $0 != crashed }.reversed().map { terminated(Self.ids[$0]) }
        let expected =
            Self.ids.map(started) + [terminated(victim, "crashed")] + stopped + restarted.map { started(Self.ids[$0]) }
        _ = try await journal.entries(count: expected.count)
        let after = try await supervisor.pids()
        #expect(journal.all == expected)
        for (index, id) in Self.ids.enumerated() {
            #expect(after[id] != nil)
            if restarted.contains(index) {
                #expect(after[id] != before[id], "\(id) should have been restarted")
                #expect(!node.isAlive(before[id]!))
            } else {
                #expect(after[id] == before[id], "\(id) should not have been restarted")
            }
        }
        #expect(try await supervisor.whichChildren().map(\.id) == Self.ids)
        try await node.stopServer(.pid(pid), reason: "shutdown")
    }

    @Test(
        "restart types: permanent always, transient only on an abnormal exit, temporary never (and removed)",
        arguments: [ChildSpec.Restart.permanent, .transient, .temporary],
        ["normal", "shutdown", .tuple(["shutdown", "done"]), "failed"] as [Term])
    func restartTypes(restart: ChildSpec.Restart, reason: Term) async throws {
        let journal = Journal()
        let pid = try await node.startSupervisor(children: [
            worker("a", journal), worker("x", journal, restart: restart),
        ])
        let supervisor = SupervisorRef(.pid(pid), on: node)
        let old = try await supervisor.pid(of: "x")
        await node.cast(.pid(old), .tuple(["stop", reason]))

        let restarts = restart == .permanent || (restart == .transient && reason == "failed")
        let changed = try await eventually { try await supervisor.status(of: "x") != .running(old) }
        #expect(changed)
        let status = try await supervisor.status(of: "x")
        if restarts {
            #expect(status != nil && status != .notRunning)
            #expect(status?.pid != old)
            #expect(journal.all == [started("a"), started("x"), terminated("x", reason), started("x")])
        } else if restart == .temporary {
            #expect(status == nil)
            #expect(journal.all == [started("a"), started("x"), terminated("x", reason)])
            #expect(
                try await supervisor.countChildren() == ChildCounts(specs: 1, active: 1, supervisors: 0, workers: 1))
        } else {
            #expect(status == .notRunning)
            #expect(journal.all == [started("a"), started("x"), terminated("x", reason)])
            #expect(
                try await supervisor.countChildren() == ChildCounts(specs: 2, active: 1, supervisors: 0, workers: 2))
        }
        #expect(node.isAlive(pid))
        try await node.stopServer(.pid(pid), reason: "shutdown")
    }

    @Test("a plain spawned child linked to the supervisor is restarted when it throws")
    func spawnedChild() async throws {
        let journal = Journal()
        let spec = ChildSpec(id: "loop") { node, supervisor in
            node.spawn(link: supervisor) { process in
                journal.record(.tuple(["loop", .pid(process.pid)]))
                let message = try await process.receive()
                throw ProcessExit(message)
            }
        }
        let pid = try await node.startSupervisor(children: [spec])
        let supervisor = SupervisorRef(.pid(pid), on: node)
        let first = try await supervisor.pid(of: "loop")
        await node.send("went_wrong", to: first)
        let changed = try await eventually { try await supervisor.status(of: "loop")?.pid.map { $0 != first } ?? false }
        #expect(changed)
        #expect(try await journal.entries(count: 2).count == 2)
        try await node.stopServer(.pid(pid), reason: "shutdown")
    }

    @Test("an EXIT from a linked process that is not a child is ignored")
    func strangerExit() async throws {
        let journal = Journal()
        let pid = try await node.startSupervisor(children: [worker("a", journal)])
        let supervisor = SupervisorRef(.pid(pid), on: node)
        let child = try await supervisor.pid(of: "a")
        let stranger = node.spawn { process in
            await process.link(pid)
            _ = try await process.receive()
            throw ProcessExit("stranger_crashed")
        }
        let watcher = try await DownWatcher(stranger, on: node)
        await node.send("go", to: stranger)
        #expect(try await watcher.reason() == "stranger_crashed")
        // A call after the EXIT has been handled: nothing changed.
        #expect(try await supervisor.pid(of: "a") == child)
        #expect(node.isAlive(pid))
        #expect(journal.all == [started("a")])
        try await node.stopServer(.pid(pid), reason: "shutdown")
    }
}
