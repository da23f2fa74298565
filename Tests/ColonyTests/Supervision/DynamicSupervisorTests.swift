import Colony
import ErlangTerm
import Testing

/// DynamicSupervisor over real processes: start, terminate, limits, restarts, intensity, stop.
@Suite("DynamicSupervisor", .timeLimit(.minutes(1)))
struct DynamicSupervisorTests {
    let node = Node()

    @Test("start children, list and count them, terminate them by pid")
    func startAndTerminate() async throws {
        let journal = Journal()
        let pid = try await node.startDynamicSupervisor(name: .local("dyn_basic"))
        let supervisor = DynamicSupervisorRef(.name("dyn_basic"), on: node)
        #expect(try await supervisor.whichChildren().isEmpty)
        let one = try await supervisor.startChild(worker("one", journal))
        let two = try await supervisor.startChild(worker("two", journal))
        let three = try await supervisor.startChild(worker("one", journal))
        #expect(try await supervisor.whichChildren().map(\.pid) == [one, two, three])
        #expect(try await supervisor.whichChildren().allSatisfy { $0.id == "undefined" && $0.type == .worker })
        #expect(try await supervisor.countChildren() == ChildCounts(specs: 3, active: 3, supervisors: 0, workers: 3))

        try await supervisor.terminateChild(two)
        #expect(!node.isAlive(two))
        #expect(journal.all.last == terminated("two"))
        #expect(try await supervisor.whichChildren().map(\.pid) == [one, three])
        await #expect(throws: SupervisorError.notFound) { try await supervisor.terminateChild(two) }
        #expect(
            try await node.call(.pid(pid), .tuple(["restart_child", .pid(one)]))
                == .tuple(["error", "simple_one_for_one"]))
        try await node.stopServer(.pid(pid), reason: "shutdown")
    }

    @Test("maxChildren refuses a start beyond it, with a clear error, until a child goes")
    func maxChildren() async throws {
        let pid = try await node.startDynamicSupervisor(maxChildren: 2)
        let supervisor = DynamicSupervisorRef(.pid(pid), on: node)
        let journal = Journal()
        let first = try await supervisor.startChild(worker("w", journal))
        try await supervisor.startChild(worker("w", journal))
        let refused = await #expect(throws: SupervisorError.maxChildren) {
            try await supervisor.startChild(worker("w", journal))
        }
        #expect(refused?.term == "max_children")
        #expect(journal.all.count == 2)
        try await supervisor.terminateChild(first)
        try await supervisor.startChild(worker("w", journal))
        #expect(try await supervisor.countChildren().specs == 2)
        try await node.stopServer(.pid(pid), reason: "shutdown")
    }

    @Test("failed and ignored starts")
    func failedStarts() async throws {
        let pid = try await node.startDynamicSupervisor()
        let supervisor = DynamicSupervisorRef(.pid(pid), on: node)
        await #expect(throws: SupervisorError.startFailed(reason: "nope")) {
            try await supervisor.startChild(ChildSpec(id: "f") { _, _ in throw ProcessExit("nope") })
        }
        await #expect(throws: SupervisorError.ignored) {
            try await supervisor.startChild(ChildSpec(id: "i") { _, _ in throw GenServerStartError.ignored })
        }
        #expect(try await supervisor.whichChildren().isEmpty)
        try await node.stopServer(.pid(pid), reason: "shutdown")
    }

    @Test("restart types: a permanent child comes back, a temporary or normally ended transient one goes")
    func restarts() async throws {
        let journal = Journal()
        let pid = try await node.startDynamicSupervisor()
        let supervisor = DynamicSupervisorRef(.pid(pid), on: node)
        let permanent = try await supervisor.startChild(worker("p", journal))
        let temporary = try await supervisor.startChild(worker("t", journal, restart: .temporary))
        let transient = try await supervisor.startChild(worker("r", journal, restart: .transient))
        await node.cast(.pid(permanent), "crash")
        await node.cast(.pid(temporary), "crash")
        await node.cast(.pid(transient), .tuple(["stop", "normal"]))
        let settled = try await eventually {
            let children = try await supervisor.whichChildren()
            return children.count == 1 && children[0].pid != permanent
        }
        #expect(settled)
        #expect(journal.all.filter { $0 == started("p") }.count == 2)
        #expect(journal.all.filter { $0 == started("t") || $0 == started("r") }.count == 2)
        try await node.stopServer(.pid(pid), reason: "shutdown")
    }

    @Test("intensity exceeded: the dynamic supervisor stops every child and exits shutdown")
    func intensity() async throws {
        let journal = Journal()
        let pid = try await node.startDynamicSupervisor(maxRestarts: 1, maxSeconds: 30)
        let supervisor = DynamicSupervisorRef(.pid(pid), on: node)
        let watcher = try await DownWatcher(pid, on: node)
        let crashy = try await supervisor.startChild(worker("crashy", journal))
        let bystander = try await supervisor.startChild(worker("bystander", journal))
        await node.cast(.pid(crashy), "crash")
        let restarted = try await eventually {
            try await supervisor.whichChildren().first?.pid.map { $0 != crashy } ?? false
        }
        #expect(restarted)
        await node.cast(.pid(try #require(try await supervisor.whichChildren().first?.pid)), "crash")
        #expect(try await watcher.reason() == "shutdown")
        #expect(!node.isAlive(bystander))
        #expect(journal.all.last == terminated("bystander"))
        #expect(journal.all.filter { $0 == started("crashy") }.count == 2)
    }

    @Test("stopping it stops all children, waiting for each; a stubborn one is killed after its timeout")
    func stop() async throws {
        let journal = Journal()
        let pid = try await node.startDynamicSupervisor()
        let supervisor = DynamicSupervisorRef(.pid(pid), on: node)
        var children: [PID] = []
        for n in 0..<5 { children.append(try await supervisor.startChild(worker(.integer(n), journal))) }
        let stubborn = try await supervisor.startChild(
            ChildSpec(id: "stubborn", shutdown: .timeout(.milliseconds(100))) { node, supervisor in
                node.spawn(link: supervisor) { process in
                    process.trapExit = true
                    while true { _ = try await process.receive() }
                }
            })
        let brute = try await supervisor.startChild(worker("brute", journal, shutdown: .brutalKill))
        let stubbornWatcher = try await DownWatcher(stubborn, on: node)
        try await node.stopServer(.pid(pid), reason: "shutdown")
        #expect(
            Set(journal.all.filter { $0.tupleElements?.first == "terminated" })
                == Set((0..<5).map { terminated(.integer($0)) }))
        #expect(try await stubbornWatcher.reason() == "killed")
        for child in children + [stubborn, brute] { #expect(!node.isAlive(child)) }
    }

    @Test("a dynamic supervisor nested in a supervisor: its children go when the tree stops")
    func nested() async throws {
        let journal = Journal()
        let pid = try await node.startSupervisor(children: [.dynamicSupervisor(id: "sessions", maxChildren: 10)])
        let sessions = DynamicSupervisorRef(
            .pid(try await SupervisorRef(.pid(pid), on: node).pid(of: "sessions")), on: node)
        let session = try await sessions.startChild(worker("session", journal, restart: .temporary))
        try await node.stopServer(.pid(pid), reason: "shutdown")
        #expect(!node.isAlive(session))
        #expect(journal.all == [started("session"), terminated("session")])
    }
}
