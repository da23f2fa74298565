import Colony
import ErlangTerm
import Synchronization
import Testing

/// A supervised worker for the tests: it journals `{started, Id}` in `initialize` and
/// `{terminated, Id, Reason}` in `terminate`, and traps exits (unless told not to) so that a
/// supervisor's `shutdown` runs its `terminate`. Requests: cast `crash` (exits `crashed`), cast
/// `{stop, Reason}`, call `ping`.
struct Worker: GenServer {
    let id: Term
    let journal: Journal
    var trapsExits = true

    mutating func initialize(process: ProcessContext) async throws -> GenServerStart {
        process.trapExit = trapsExits
        journal.record(.tuple(["started", id]))
        return .ready
    }

    mutating func handleCall(_ request: Term, from: CallerRef, process: ProcessContext) async throws -> CallResult {
        .reply("pong")
    }

    mutating func handleCast(_ request: Term, process: ProcessContext) async throws -> GenServerAction {
        switch request {
        case "crash":
            throw ProcessExit("crashed")
        case .tuple(let parts) where parts.count == 2 && parts[0] == "stop":
            return .stop(parts[1])
        default:
            return .noReply
        }
    }

    mutating func terminate(reason: Term, process: ProcessContext) async {
        journal.record(.tuple(["terminated", id, reason]))
    }
}

/// `{started, Id}`.
func started(_ id: Term) -> Term { .tuple(["started", id]) }

/// `{terminated, Id, Reason}`.
func terminated(_ id: Term, _ reason: Term = "shutdown") -> Term { .tuple(["terminated", id, reason]) }

/// A worker child spec.
func worker(
    _ id: Term, _ journal: Journal, restart: ChildSpec.Restart = .permanent, shutdown: ChildSpec.Shutdown? = nil
) -> ChildSpec {
    .server(id: id, Worker(id: id, journal: journal), restart: restart, shutdown: shutdown)
}

/// Polls `condition` every 5 ms for at most `timeout`; returns whether it became true.
@discardableResult
func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(5))
    }
}

extension Journal {
    /// Waits (bounded) until `count` entries are recorded and returns them; records an issue when
    /// they do not come.
    func entries(count: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [Term] {
        let seen = try await wait(count: count, timeout: .seconds(10))
        if seen.count < count {
            Issue.record("expected \(count) journal entries, got \(seen)", sourceLocation: sourceLocation)
        }
        return seen
    }
}

extension SupervisorRef {
    /// The pid of the running child `id`.
    func pid(of id: Term, sourceLocation: SourceLocation = #_sourceLocation) async throws -> PID {
        let children = try await whichChildren()
        return try #require(
            children.first { $0.id == id }?.pid, "\(id) is not running: \(children)",
            sourceLocation: sourceLocation)
    }

    /// The pids of the running children, by id.
    func pids() async throws -> [Term: PID] {
        var pids: [Term: PID] = [:]
        for child in try await whichChildren() { pids[child.id] = child.pid }
        return pids
    }

    /// The status of child `id`, or `nil` when it is not in the list.
    func status(of id: Term) async throws -> SupervisorChild.Status? {
        try await whichChildren().first { $0.id == id }?.status
    }
}

/// Watches a process from a process of its own and records the reason of its `DOWN`.
final class DownWatcher: Sendable {
    private let journal = Journal()

    /// Starts watching `pid`; returns once the monitor is in place.
    init(_ pid: PID, on node: Node) async throws {
        let journal = self.journal
        node.spawn { process in
            let reference = await process.monitor(pid)
            journal.record("watching")
            let reason = try await process.receive(timeout: .seconds(50)) { message -> Term? in
                guard case .tuple(let t) = message, t.count == 5, t[1] == .reference(reference) else { return nil }
                return t[4]
            }
            journal.record(reason ?? "watch_timeout")
        }
        _ = try await journal.entries(count: 1)
    }

    /// The exit reason, waiting (bounded) for it.
    func reason() async throws -> Term? {
        try await journal.wait(count: 2, timeout: .seconds(10)).dropFirst().first
    }
}

/// Counts calls and fails the first `failures` of them: a start closure that fails to restart.
final class FlakyStart: Sendable {
    private let calls = Mutex(0)
    let failures: Int

    init(failures: Int) { self.failures = failures }

    /// Counts a call; `true` when this one must fail.
    func shouldFail() -> Bool {
        calls.withLock { calls in
            calls += 1
            return calls > 1 && calls <= 1 + failures
        }
    }

    var count: Int { calls.withLock { $0 } }
}
