import Colony
import ErlangTerm
import Testing

/// GenServer on one node: the callbacks, start results, naming, call failures with OTP's reasons,
/// deferred replies, stop and terminate.
@Suite("GenServer", .timeLimit(.minutes(1)))
struct GenServerTests {
    let node = Node()

    @Test("call, cast and info reach the callbacks and the state persists between them")
    func callCastInfo() async throws {
        let journal = Journal()
        let pid = try await node.startServer(CounterServer(journal: journal))
        await node.cast(.pid(pid), .tuple(["add", 5]))
        await node.cast(.pid(pid), .tuple(["add", 2]))
        await node.send(.integer(10), to: pid)
        #expect(try await node.call(.pid(pid), "get") == .integer(17))
        #expect(try await node.call(.pid(pid), "other") == .tuple(["unknown", "other"]))
        #expect(journal.all == ["init", .tuple(["info", 10])])
    }

    @Test("initialize: continue runs before the first message; ignore and stop fail the start")
    func startResults() async throws {
        let journal = Journal()
        let pid = try await node.startServer(CounterServer(journal: journal, start: .readyThenContinue("warm")))
        #expect(try await node.call(.pid(pid), "get") == 0)
        #expect(journal.all == ["init", .tuple(["continue", "warm"])])

        await #expect(throws: GenServerStartError.ignored) {
            try await node.startServer(
                CounterServer(journal: Journal(), start: .ignore), name: .local("ignored_server"))
        }
        #expect(node.whereis("ignored_server") == nil)
        await #expect(throws: GenServerStartError.stopped("no_config")) {
            try await node.startServer(CounterServer(journal: Journal(), start: .stop("no_config")))
        }
        await #expect(throws: GenServerStartError.stopped(.tuple(["swift_error", .string("crash requested")]))) {
            try await node.startServer(CounterServer(journal: Journal(), start: .stop("init_throws")))
        }
    }

    @Test("a local name is registered before init; a second start under it says already started")
    func naming() async throws {
        let pid = try await node.startServer(CounterServer(journal: Journal()), name: .local("named_counter"))
        #expect(node.whereis("named_counter") == pid)
        await node.cast(.name("named_counter"), .tuple(["add", 3]))
        #expect(try await node.call(.name("named_counter"), "get") == 3)
        #expect(try await node.call(.remote("named_counter", node: node.name), "get") == 3)
        await #expect(throws: GenServerStartError.alreadyStarted(pid)) {
            try await node.startServer(CounterServer(journal: Journal()), name: .local("named_counter"))
        }
        #expect(try await node.call(.name("named_counter"), "get") == 3)
    }

    @Test("via naming registers in the registry and unregisters when the server stops")
    func viaNaming() async throws {
        let names = TestNames()
        let pid = try await node.startServer(CounterServer(journal: Journal()), name: .via(names, "counter"))
        #expect(names.whereisName("counter") == pid)
        #expect(try await node.call(.via(names, "counter"), "get") == 0)
        try await node.stopServer(.via(names, "counter"))
        #expect(names.whereisName("counter") == nil)
    }

    @Test("via a Registry: call by key, and the key goes when the server crashes")
    func viaRegistry() async throws {
        let registry = try Registry.start(on: node, keys: .unique, partitions: 2)
        let pid = try await node.startServer(CounterServer(journal: Journal()), name: .via(registry, "counter"))
        #expect(registry.lookup("counter").map(\.pid) == [pid])
        await node.cast(.via(registry, "counter"), .tuple(["add", 4]))
        #expect(try await node.call(.via(registry, "counter"), "get") == 4)
        await #expect(throws: GenServerStartError.alreadyStarted(pid)) {
            try await node.startServer(CounterServer(journal: Journal()), name: .via(registry, "counter"))
        }
        _ = try? await node.call(.via(registry, "counter"), "crash")
        for _ in 0..<200 where registry.whereisName("counter") != nil { try await Task.sleep(for: .milliseconds(5)) }
        #expect(registry.whereisName("counter") == nil)
        await registry.stop()
    }

    @Test("calls fail as OTP's do: noproc, timeout (late reply dropped), the server's exit reason")
    func callFailures() async throws {
        let noName = await #expect(throws: GenServerCallError.self) { try await node.call(.name("nobody"), "get") }
        #expect(noName?.reason == .noproc)
        #expect(noName?.exitReason == .tuple(["noproc", .tuple(["gen_server", "call", .list(["nobody", "get"])])]))

        let journal = Journal()
        let pid = try await node.startServer(CounterServer(journal: journal))
        let dead = node.spawn { _ in }
        for _ in 0..<200 where node.isAlive(dead) { try await Task.sleep(for: .milliseconds(5)) }
        let noPid = await #expect(throws: GenServerCallError.self) { try await node.call(.pid(dead), "get") }
        #expect(noPid?.reason == .noproc)

        // A timeout, then the late reply must not reach the caller's mailbox.
        let leftovers = Journal()
        node.spawn { process in
            do {
                _ = try await process.call(.pid(pid), "slow", timeout: .milliseconds(50))
                leftovers.record("no timeout")
            } catch let error as GenServerCallError {
                leftovers.record(error.reasonTerm)
            }
            try await Task.sleep(for: .milliseconds(400))
            leftovers.record(try await process.receive(timeout: .zero) ?? "empty")
        }
        #expect(try await leftovers.wait(count: 2) == ["timeout", "empty"])

        let crashed = await #expect(throws: GenServerCallError.self) { try await node.call(.pid(pid), "crash") }
        #expect(crashed?.reason == .exit(.tuple(["swift_error", .string("crash requested")])))
        #expect(journal.all.last == .tuple(["terminate", .tuple(["swift_error", .string("crash requested")])]))
        #expect(!node.isAlive(pid))
    }

    @Test("an uncaught call failure ends the caller with OTP's exit reason")
    func callerExit() async throws {
        let watcherReason = Journal()
        node.spawn { process in
            let caller = process.node.spawn { inner in _ = try await inner.call(.name("missing"), "ping") }
            let reference = await process.monitor(caller)
            let down = try await process.receive(timeout: .seconds(5)) { message -> Term? in
                guard case .tuple(let t) = message, t.count == 5, t[1] == .reference(reference) else { return nil }
                return t[4]
            }
            watcherReason.record(down ?? "none")
        }
        let reason = try await watcherReason.wait(count: 1)
        #expect(reason == [.tuple(["noproc", .tuple(["gen_server", "call", .list(["missing", "ping"])])])])
    }

    @Test("a server answers later with reply(to:); stop with a reply runs terminate first")
    func deferredReplyAndStop() async throws {
        let journal = Journal()
        let pid = try await node.startServer(CounterServer(journal: journal))
        #expect(try await node.call(.pid(pid), "defer") == "deferred")
        #expect(try await node.call(.pid(pid), "stop") == "stopping")
        #expect(journal.all.last == .tuple(["terminate", "normal"]))
        for _ in 0..<200 where node.isAlive(pid) { try await Task.sleep(for: .milliseconds(5)) }
        #expect(!node.isAlive(pid))
    }

    @Test("stopServer runs terminate with the reason; stopping a missing server is noproc")
    func stopServer() async throws {
        let journal = Journal()
        let pid = try await node.startServer(CounterServer(journal: journal), name: .local("stoppable"))
        try await node.stopServer(.name("stoppable"), reason: "shutdown")
        #expect(journal.all.last == .tuple(["terminate", "shutdown"]))
        #expect(!node.isAlive(pid))
        #expect(node.whereis("stoppable") == nil)
        let missing = await #expect(throws: GenServerCallError.self) { try await node.stopServer(.name("stoppable")) }
        #expect(missing?.reason == .noproc)
    }

    @Test("a trapping server stops through terminate when its parent exits")
    func parentExit() async throws {
        struct Trapping: GenServer {
            let journal: Journal
            mutating func initialize(process: ProcessContext) async throws -> GenServerStart {
                process.trapExit = true
                return .ready
            }
            mutating func terminate(reason: Term, process: ProcessContext) async {
                journal.record(.tuple(["terminate", reason]))
            }
        }
        let journal = Journal()
        let started = Journal()
        let parent = node.spawn { process in
            let child = try await process.node.startServer(Trapping(journal: journal), link: process.pid)
            started.record(.pid(child))
            _ = try await process.receive()
            throw ProcessExit("parent_gone")
        }
        guard case .pid(let child) = try await started.wait(count: 1).first else {
            Issue.record("the child did not start")
            return
        }
        await node.send("go", to: parent)
        #expect(try await journal.wait(count: 1) == [.tuple(["terminate", "parent_gone"])])
        for _ in 0..<200 where node.isAlive(child) { try await Task.sleep(for: .milliseconds(5)) }
        #expect(!node.isAlive(child))
    }

    @Test("a call made inside a call keeps the other messages in order")
    func nestedCall() async throws {
        let journal = Journal()
        let inner = try await node.startServer(CounterServer(journal: Journal()))
        await node.cast(.pid(inner), .tuple(["add", 42]))
        let outer = try await node.startServer(CounterServer(journal: journal))
        // Info messages queued while the outer server waits for the inner one's reply must still
        // reach handleInfo, in order, after the continue.
        let replies = Journal()
        node.spawn { process in
            let answer = try await process.call(.pid(outer), .tuple(["call_other", .pid(inner)]))
            replies.record(answer)
        }
        for i in 1...3 { await node.send(.integer(i), to: outer) }
        #expect(try await replies.wait(count: 1) == [42])
        #expect(try await node.call(.pid(outer), "get") == 6)
        let expected: [Term] =
            ["init", .tuple(["continue", "after_reply"])] + (1...3).map { .tuple(["info", .integer($0)]) }
        let seen = journal.all
        #expect(
            seen.filter { if case .tuple(let t) = $0 { t[0] == "info" } else { false } } == Array(expected.suffix(3)))
        #expect(seen.count == 5)
    }
}
