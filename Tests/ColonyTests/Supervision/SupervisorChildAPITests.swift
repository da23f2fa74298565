import Colony
import ErlangTerm
import Testing

/// The child API (typed client and OTP's call terms), ignore, and failures at start.
@Suite("Supervisor: child API and start", .timeLimit(.minutes(1)))
struct SupervisorChildAPITests {
    let node = Node()

    @Test("terminate, restart and delete a child; errors for running and unknown children")
    func terminateRestartDelete() async throws {
        let journal = Journal()
        let pid = try await node.startSupervisor(children: [worker("a", journal), worker("b", journal)])
        let supervisor = SupervisorRef(.pid(pid), on: node)
        let a = try await supervisor.pid(of: "a")

        try await supervisor.terminateChild("a")
        #expect(!node.isAlive(a))
        #expect(try await supervisor.status(of: "a") == .notRunning)
        #expect(try await supervisor.countChildren() == ChildCounts(specs: 2, active: 1, supervisors: 0, workers: 2))
        // Stopped by request: not restarted.
        #expect(try await supervisor.status(of: "a") == .notRunning)

        let again = try await supervisor.restartChild("a")
        #expect(again != a && node.isAlive(again))
        #expect(try await supervisor.whichChildren().map(\.id) == ["a", "b"])
        await #expect(throws: SupervisorError.running) { try await supervisor.restartChild("a") }
        await #expect(throws: SupervisorError.running) { try await supervisor.deleteChild("a") }

        try await supervisor.terminateChild("a")
        try await supervisor.deleteChild("a")
        #expect(try await supervisor.whichChildren().map(\.id) == ["b"])
        await #expect(throws: SupervisorError.notFound) { try await supervisor.terminateChild("a") }
        await #expect(throws: SupervisorError.notFound) { try await supervisor.restartChild("a") }
        await #expect(throws: SupervisorError.notFound) { try await supervisor.deleteChild("a") }
        #expect(journal.all == [started("a"), started("b"), terminated("a"), started("a"), terminated("a")])
        try await node.stopServer(.pid(pid), reason: "shutdown")
    }

    @Test("start a child: added after the others; already started, already present, failed")
    func startChild() async throws {
        let journal = Journal()
        let pid = try await node.startSupervisor(strategy: .restForOne, children: [worker("a", journal)])
        let supervisor = SupervisorRef(.pid(pid), on: node)
        let c = try await supervisor.startChild(worker("c", journal))
        #expect(try await supervisor.whichChildren().map(\.id) == ["a", "c"])
        #expect(try await supervisor.pid(of: "c") == c)
        await #expect(throws: SupervisorError.alreadyStarted(c)) {
            try await supervisor.startChild(worker("c", journal))
        }
        try await supervisor.terminateChild("c")
        await #expect(throws: SupervisorError.alreadyPresent) { try await supervisor.startChild(worker("c", journal)) }

        let failing = ChildSpec(id: "f") { _, _ in throw ProcessExit("no_resources") }
        await #expect(throws: SupervisorError.startFailed(reason: "no_resources")) {
            try await supervisor.startChild(failing)
        }
        #expect(try await supervisor.whichChildren().map(\.id) == ["a", "c"])

        // A start closure cannot travel to another node.
        let remote = SupervisorRef(.remote("sup", node: "elsewhere@host"), on: node)
        await #expect(throws: SupervisorError.notSupported(.tuple(["start_child", "elsewhere@host"]))) {
            try await remote.startChild(worker("r", journal))
        }

        // An added child takes part in the strategy: rest_for_one from `a` restarts `c` too.
        try await supervisor.restartChild("c")
        let oldC = try await supervisor.pid(of: "c")
        await node.cast(.pid(try await supervisor.pid(of: "a")), "crash")
        let restarted = await eventually { (try? await supervisor.status(of: "c"))?.pid.map { $0 != oldC } ?? false }
        #expect(restarted)
        try await node.stopServer(.pid(pid), reason: "shutdown")
    }

    @Test("a temporary child that is terminated or exits is removed")
    func temporaryRemoved() async throws {
        let journal = Journal()
        let pid = try await node.startSupervisor(children: [
            worker("t1", journal, restart: .temporary), worker("t2", journal, restart: .temporary),
        ])
        let supervisor = SupervisorRef(.pid(pid), on: node)
        try await supervisor.terminateChild("t1")
        #expect(try await supervisor.whichChildren().map(\.id) == ["t2"])
        await node.cast(.pid(try await supervisor.pid(of: "t2")), "crash")
        #expect(try await eventually { try await supervisor.whichChildren().isEmpty })
        #expect(node.isAlive(pid))
        try await node.stopServer(.pid(pid), reason: "shutdown")
    }

    @Test("ignore: the child is kept without a pid (a temporary one is dropped); restart can ignore again")
    func ignore() async throws {
        let journal = Journal()
        let ignoring = ChildSpec(id: "lazy") { node, supervisor in
            try await node.startServer(CounterServer(journal: journal, start: .ignore), link: supervisor)
        }
        let ignoringTemporary = ChildSpec(id: "gone", restart: .temporary) { _, _ in
            throw GenServerStartError.ignored
        }
        let pid = try await node.startSupervisor(children: [ignoring, ignoringTemporary, worker("w", Journal())])
        let supervisor = SupervisorRef(.pid(pid), on: node)
        let children = try await supervisor.whichChildren()
        #expect(children.map(\.id) == ["lazy", "w"])
        #expect(children.first?.status == .notRunning)
        #expect(try await supervisor.countChildren() == ChildCounts(specs: 2, active: 1, supervisors: 0, workers: 2))
        await #expect(throws: SupervisorError.ignored) { try await supervisor.restartChild("lazy") }
        await #expect(throws: SupervisorError.ignored) { try await supervisor.startChild(ignoringTemporary) }
        #expect(try await supervisor.whichChildren().map(\.id) == ["lazy", "w"])
        try await node.stopServer(.pid(pid), reason: "shutdown")
    }

    @Test("a child failing at start stops the ones started before it, in reverse order, and the start throws")
    func startFailure() async throws {
        let journal = Journal()
        let failing = ChildSpec(id: "c") { _, _ in throw ProcessExit("no_port") }
        await #expect(
            throws: GenServerStartError.stopped(
                .tuple(["shutdown", .tuple(["failed_to_start_child", "c", "no_port"])]))
        ) {
            try await node.startSupervisor(
                children: [worker("a", journal), worker("b", journal), failing, worker("d", journal)],
                name: .local("failing_sup"))
        }
        #expect(journal.all == [started("a"), started("b"), terminated("b"), terminated("a")])
        #expect(node.whereis("failing_sup") == nil)

        // A child whose init fails: its reason is the one reported.
        await #expect(
            throws: GenServerStartError.stopped(
                .tuple(["shutdown", .tuple(["failed_to_start_child", "counter", "no_config"])]))
        ) {
            try await node.startSupervisor(children: [
                .server(id: "counter", CounterServer(journal: Journal(), start: .stop("no_config")))
            ])
        }
        await #expect(
            throws: GenServerStartError.stopped(.tuple(["start_spec", .tuple(["duplicate_child_name", "a"])]))
        ) {
            try await node.startSupervisor(children: [worker("a", Journal()), worker("a", Journal())])
        }
        await #expect(
            throws: GenServerStartError.stopped(.tuple(["supervisor_data", .tuple(["invalid_intensity", -1])]))
        ) {
            try await node.startSupervisor(children: [], maxRestarts: -1)
        }
    }

    @Test("OTP's call terms: which_children, count_children, terminate/restart/delete/get_childspec, start_child")
    func otpTerms() async throws {
        let journal = Journal()
        let inner = ChildSpec.dynamicSupervisor(id: "dyn")
        let pid = try await node.startSupervisor(
            children: [worker("a", journal), inner], name: .local("otp_terms_sup"))
        let server = ServerRef.name("otp_terms_sup")
        let supervisor = SupervisorRef(server, on: node)
        let a = try await supervisor.pid(of: "a")
        let dyn = try await supervisor.pid(of: "dyn")

        #expect(
            try await node.call(server, "which_children")
                == .list([
                    .tuple(["a", .pid(a), "worker", .list([])]), .tuple(["dyn", .pid(dyn), "supervisor", .list([])]),
                ]))
        #expect(
            try await node.call(server, "count_children")
                == .list([
                    .tuple(["specs", 2]), .tuple(["active", 2]), .tuple(["supervisors", 1]), .tuple(["workers", 1]),
                ]))
        let spec = try await node.call(server, .tuple(["get_childspec", "a"]))
        #expect(spec.tupleElements?.first == "ok")
        #expect(spec.tupleElements?.last?.mapValue?["shutdown"] == 5000)
        #expect(spec.tupleElements?.last?.mapValue?["restart"] == "permanent")
        #expect(
            try await node.call(server, .tuple(["get_childspec", "dyn"])).tupleElements?.last?.mapValue?["shutdown"]
                == "infinity")
        #expect(try await node.call(server, .tuple(["terminate_child", "a"])) == .ok)
        #expect(try await node.call(server, .tuple(["terminate_child", "nope"])) == .tuple(["error", "not_found"]))
        #expect(try await node.call(server, .tuple(["delete_child", "dyn"])) == .tuple(["error", "running"]))
        let restarted = try await node.call(server, .tuple(["restart_child", "a"]))
        #expect(restarted.tupleElements?.first == "ok" && restarted.tupleElements?.last?.pidValue != nil)
        let erlangSpec: Term = .map(TermMap([("id", "e"), ("start", .tuple(["m", "f", .list([])]))]))
        #expect(
            try await node.call(server, .tuple(["start_child", erlangSpec]))
                == .tuple(["error", .tuple(["not_supported", erlangSpec])]))
        #expect(try await node.call(server, "bogus") == .tuple(["error", .tuple(["unknown_call", "bogus"])]))
        try await node.stopServer(server, reason: "shutdown")
        #expect(!node.isAlive(pid))
    }
}
