import Colony
import ErlangTerm
import Testing

/// Giving up, escalation through nested supervisors, and how children are stopped: order,
/// shutdown timeouts, brutal kills.
@Suite("Supervisor: intensity, trees and shutdown", .timeLimit(.minutes(1)))
struct SupervisorLifecycleTests {
    let node = Node()

    /// Crashes child `id` and waits until the supervisor runs it under a new pid.
    func crashAndAwaitRestart(_ id: Term, _ supervisor: SupervisorRef) async throws {
        let old = try await supervisor.pid(of: id)
        await node.cast(.pid(old), "crash")
        let restarted = await eventually { (try? await supervisor.status(of: id))?.pid.map { $0 != old } ?? false }
        #expect(restarted, "\(id) was not restarted")
    }

    @Test("intensity exceeded: children stopped in reverse start order, supervisor exits shutdown")
    func intensityExceeded() async throws {
        let journal = Journal()
        let pid = try await node.startSupervisor(
            children: ["a", "b", "c"].map { worker($0, journal) }, maxRestarts: 2, maxSeconds: 30)
        let supervisor = SupervisorRef(.pid(pid), on: node)
        let watcher = try await DownWatcher(pid, on: node)
        try await crashAndAwaitRestart("b", supervisor)
        try await crashAndAwaitRestart("b", supervisor)
        let survivors = try await supervisor.pids()
        await node.cast(.pid(survivors["b"]!), "crash")

        #expect(try await watcher.reason() == "shutdown")
        let restart = [terminated("b", "crashed"), started("b")]
        #expect(
            journal.all
                == ["a", "b", "c"].map(started) + restart + restart
                + [terminated("b", "crashed"), terminated("c"), terminated("a")])
        for child in survivors.values { #expect(!node.isAlive(child)) }
        #expect(!node.isAlive(pid))
    }

    @Test("maxRestarts 0: the first crash stops everything")
    func zeroIntensity() async throws {
        let journal = Journal()
        let pid = try await node.startSupervisor(
            strategy: .oneForAll, children: [worker("a", journal), worker("b", journal)], maxRestarts: 0)
        let watcher = try await DownWatcher(pid, on: node)
        let a = try await SupervisorRef(.pid(pid), on: node).pid(of: "a")
        await node.cast(.pid(a), "crash")
        #expect(try await watcher.reason() == "shutdown")
        #expect(journal.all == [started("a"), started("b"), terminated("a", "crashed"), terminated("b")])
    }

    @Test("a restart that fails is tried again later and counts against the intensity")
    func failedRestartRetried() async throws {
        let journal = Journal()
        let flaky = FlakyStart(failures: 2)
        let spec = ChildSpec(id: "flaky") { node, supervisor in
            if flaky.shouldFail() { throw ProcessExit("not_now") }
            return try await node.startServer(Worker(id: "flaky", journal: journal), link: supervisor)
        }
        // Crash + two failed tries = three restarts: allowed with maxRestarts 3.
        let pid = try await node.startSupervisor(children: [spec], maxRestarts: 3, maxSeconds: 30)
        let supervisor = SupervisorRef(.pid(pid), on: node)
        try await crashAndAwaitRestart("flaky", supervisor)
        #expect(flaky.count == 4)
        #expect(journal.all == [started("flaky"), terminated("flaky", "crashed"), started("flaky")])

        // With maxRestarts 2 the second failed try is one too many.
        let strict = FlakyStart(failures: 2)
        let strictSpec = ChildSpec(id: "strict") { node, supervisor in
            if strict.shouldFail() { throw ProcessExit("not_now") }
            return try await node.startServer(Worker(id: "strict", journal: Journal()), link: supervisor)
        }
        let other = try await node.startSupervisor(children: [strictSpec], maxRestarts: 2, maxSeconds: 30)
        let watcher = try await DownWatcher(other, on: node)
        await node.cast(.pid(try await SupervisorRef(.pid(other), on: node).pid(of: "strict")), "crash")
        #expect(try await watcher.reason() == "shutdown")
        #expect(strict.count == 3)
        try await node.stopServer(.pid(pid), reason: "shutdown")
    }

    @Test(
        "nested: an inner supervisor that gives up is restarted by the outer one per its strategy",
        arguments: [SupervisorStrategy.oneForOne, .oneForAll])
    func escalation(outerStrategy: SupervisorStrategy) async throws {
        let journal = Journal()
        let inner = ChildSpec.supervisor(
            id: "inner", children: [worker("x", journal), worker("y", journal)], maxRestarts: 1, maxSeconds: 30)
        let pid = try await node.startSupervisor(
            strategy: outerStrategy, children: [inner, worker("z", journal)], maxRestarts: 3, maxSeconds: 30)
        let outer = SupervisorRef(.pid(pid), on: node)
        #expect(try await outer.whichChildren().map(\.type) == [.supervisor, .worker])
        let innerPid = try await outer.pid(of: "inner")
        let innerRef = SupervisorRef(.pid(innerPid), on: node)
        let z = try await outer.pid(of: "z")
        let oldX = try await innerRef.pid(of: "x")
        let oldY = try await innerRef.pid(of: "y")

        try await crashAndAwaitRestart("x", innerRef)
        await node.cast(.pid(try await innerRef.pid(of: "x")), "crash")
        let replaced = await eventually { (try? await outer.status(of: "inner"))?.pid.map { $0 != innerPid } ?? false }
        #expect(replaced)
        let newInner = SupervisorRef(.pid(try await outer.pid(of: "inner")), on: node)

        let giveUp = [terminated("x", "crashed"), terminated("y")]
        let restartOfZ: [Term] = outerStrategy == .oneForAll ? [terminated("z")] : []
        let tail =
            outerStrategy == .oneForAll ? [started("x"), started("y"), started("z")] : [started("x"), started("y")]
        let expected =
            [started("x"), started("y"), started("z"), terminated("x", "crashed"), started("x")] + giveUp + restartOfZ
            + tail
        _ = try await journal.entries(count: expected.count)
        #expect(try await outer.whichChildren().count == 2)
        #expect(journal.all == expected)
        #expect(!node.isAlive(innerPid))
        #expect(try await newInner.pid(of: "x") != oldX)
        #expect(try await newInner.pid(of: "y") != oldY)
        if outerStrategy == .oneForAll {
            #expect(try await outer.pid(of: "z") != z)
        } else {
            #expect(try await outer.pid(of: "z") == z)
        }
        try await node.stopServer(.pid(pid), reason: "shutdown")
    }

    @Test("escalation to the top: an outer supervisor with no restarts to spare gives up too")
    func escalationToTop() async throws {
        let journal = Journal()
        let inner = ChildSpec.supervisor(id: "inner", children: [worker("x", journal)], maxRestarts: 0)
        let pid = try await node.startSupervisor(children: [worker("w", journal), inner], maxRestarts: 0)
        let watcher = try await DownWatcher(pid, on: node)
        let innerPid = try await SupervisorRef(.pid(pid), on: node).pid(of: "inner")
        let x = try await SupervisorRef(.pid(innerPid), on: node).pid(of: "x")
        await node.cast(.pid(x), "crash")
        #expect(try await watcher.reason() == "shutdown")
        #expect(journal.all == [started("w"), started("x"), terminated("x", "crashed"), terminated("w")])
        #expect(!node.isAlive(innerPid))
    }

    @Test("stopping a supervisor stops its children in reverse start order, depth first")
    func shutdownOrder() async throws {
        let journal = Journal()
        let inner = ChildSpec.supervisor(id: "inner", children: [worker("b1", journal), worker("b2", journal)])
        let pid = try await node.startSupervisor(children: [worker("a", journal), inner, worker("c", journal)])
        let watcher = try await DownWatcher(pid, on: node)
        try await node.stopServer(.pid(pid), reason: "shutdown")
        #expect(try await watcher.reason() == "shutdown")
        #expect(
            journal.all
                == [started("a"), started("b1"), started("b2"), started("c")]
                + [terminated("c"), terminated("b2"), terminated("b1"), terminated("a")])
    }

    @Test("the parent's exit signal stops the supervisor and its children in reverse order")
    func parentExit() async throws {
        let journal = Journal()
        let supervisorPid = Journal()
        let parent = node.spawn { process in
            let pid = try await process.node.startSupervisor(
                children: ["a", "b", "c"].map { worker($0, journal) }, link: process.pid)
            supervisorPid.record(.pid(pid))
            _ = try await process.receive()
            throw ProcessExit("parent_gone")
        }
        guard case .pid(let pid) = try await supervisorPid.entries(count: 1).first else { return }
        let watcher = try await DownWatcher(pid, on: node)
        await node.send("go", to: parent)
        #expect(try await watcher.reason() == "parent_gone")
        #expect(journal.all == ["a", "b", "c"].map(started) + [terminated("c"), terminated("b"), terminated("a")])
    }

    @Test("shutdown timeout: a child that ignores shutdown is killed when the time is up")
    func shutdownTimeoutKills() async throws {
        let journal = Journal()
        let stubborn = ChildSpec(id: "stubborn", shutdown: .timeout(.milliseconds(200))) { node, supervisor in
            node.spawn(link: supervisor) { process in
                process.trapExit = true
                while true {
                    let message = try await process.receive()
                    journal.record(.tuple(["ignored", message]))
                }
            }
        }
        let pid = try await node.startSupervisor(children: [stubborn])
        let supervisor = SupervisorRef(.pid(pid), on: node)
        let child = try await supervisor.pid(of: "stubborn")
        let watcher = try await DownWatcher(child, on: node)
        let start = ContinuousClock.now
        try await supervisor.terminateChild("stubborn")
        let elapsed = ContinuousClock.now - start
        #expect(try await watcher.reason() == "killed")
        #expect(elapsed >= .milliseconds(200))
        #expect(journal.all == [.tuple(["ignored", .tuple(["EXIT", .pid(pid), "shutdown"])])])
        #expect(try await supervisor.status(of: "stubborn") == .notRunning)
        try await node.stopServer(.pid(pid), reason: "shutdown")
    }

    @Test("shutdown infinity waits for a slow terminate; a quick one does not wait for the timeout")
    func shutdownWaits() async throws {
        struct Slow: GenServer {
            let journal: Journal
            mutating func initialize(process: ProcessContext) async throws -> GenServerStart {
                process.trapExit = true
                return .ready
            }
            mutating func terminate(reason: Term, process: ProcessContext) async {
                // Work that takes a while inside the child; the supervisor must wait for it.
                _ = try? await process.receive(timeout: .milliseconds(300)) { _ -> Bool? in nil }
                journal.record(.tuple(["slow_done", reason]))
            }
        }
        let journal = Journal()
        let slow = ChildSpec(id: "slow", shutdown: .infinity) { node, supervisor in
            try await node.startServer(Slow(journal: journal), link: supervisor)
        }
        let pid = try await node.startSupervisor(
            children: [slow, worker("quick", journal, shutdown: .timeout(.seconds(30)))])
        let supervisor = SupervisorRef(.pid(pid), on: node)
        try await supervisor.terminateChild("slow")
        #expect(journal.all.last == .tuple(["slow_done", "shutdown"]))
        let start = ContinuousClock.now
        try await supervisor.terminateChild("quick")
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(journal.all.last == terminated("quick"))
        try await node.stopServer(.pid(pid), reason: "shutdown")
    }

    @Test("brutalKill: the child is killed without running terminate")
    func brutalKill() async throws {
        let journal = Journal()
        let pid = try await node.startSupervisor(children: [worker("brute", journal, shutdown: .brutalKill)])
        let supervisor = SupervisorRef(.pid(pid), on: node)
        let child = try await supervisor.pid(of: "brute")
        let watcher = try await DownWatcher(child, on: node)
        try await supervisor.terminateChild("brute")
        #expect(try await watcher.reason() == "killed")
        #expect(journal.all == [started("brute")])
        try await node.stopServer(.pid(pid), reason: "shutdown")
    }

    @Test("a supervisor killed outright: no orderly shutdown, its children end through their links")
    func killed() async throws {
        let journal = Journal()
        let plain = ChildSpec.server(id: "plain", Worker(id: "plain", journal: journal, trapsExits: false))
        let pid = try await node.startSupervisor(children: [worker("trapping", journal), plain])
        let children = try await SupervisorRef(.pid(pid), on: node).pids()
        let supervisorWatcher = try await DownWatcher(pid, on: node)
        let plainWatcher = try await DownWatcher(children["plain"]!, on: node)
        node.spawn { process in await process.exit(pid, reason: "kill") }
        #expect(try await supervisorWatcher.reason() == "killed")
        #expect(try await plainWatcher.reason() == "killed")
        #expect(
            try await journal.entries(count: 3) == [
                started("trapping"), started("plain"), terminated("trapping", "killed"),
            ])
    }
}
