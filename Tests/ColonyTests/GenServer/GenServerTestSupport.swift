import Colony
import ErlangTerm
import Synchronization

/// What test servers record from inside their processes (callbacks run, terminate reasons).
final class Journal: Sendable {
    private let entries = Mutex<[Term]>([])

    func record(_ entry: Term) { entries.withLock { $0.append(entry) } }

    var all: [Term] { entries.withLock { $0 } }

    /// Waits (bounded) until `count` entries are recorded.
    func wait(count: Int, timeout: Duration = .seconds(5)) async throws -> [Term] {
        let deadline = ContinuousClock.now + timeout
        while all.count < count && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        return all
    }
}

/// A counter in gen_server style: `{add, N}` cast, `get` call, `{crash}` call throws, `stop` call
/// stops with a reply, `{defer, Tag}` answers later from another task, `{call_other, Server}`
/// calls another server while handling a call.
struct CounterServer: GenServer {
    struct Crash: Error, CustomStringConvertible {
        var description: String { "crash requested" }
    }

    var count = 0
    let journal: Journal
    var start: GenServerStart = .ready

    init(journal: Journal, start: GenServerStart = .ready) {
        self.journal = journal
        self.start = start
    }

    mutating func initialize(process: ProcessContext) async throws -> GenServerStart {
        journal.record("init")
        if start == .stop("init_throws") { throw Crash() }
        return start
    }

    mutating func handleCall(_ request: Term, from: CallerRef, process: ProcessContext) async throws -> CallResult {
        switch request {
        case "get":
            return .reply(.integer(count))
        case "crash":
            throw Crash()
        case "stop":
            return .stop(reason: "normal", reply: "stopping")
        case "slow":
            try await Task.sleep(for: .milliseconds(300))
            return .reply("late")
        case "defer":
            let node = process.node
            Task {
                try await Task.sleep(for: .milliseconds(20))
                await node.reply(to: from, "deferred")
            }
            return .noReply
        case .tuple(let parts) where parts.count == 2 && parts[0] == "call_other":
            guard case .pid(let other) = parts[1] else { return .reply("badarg") }
            let answer = try await process.call(.pid(other), "get")
            return .replyThenContinue(answer, "after_reply")
        default:
            return .reply(.tuple(["unknown", request]))
        }
    }

    mutating func handleCast(_ request: Term, process: ProcessContext) async throws -> GenServerAction {
        if case .tuple(let parts) = request, parts.count == 2, parts[0] == "add", case .integer(let n) = parts[1] {
            count += n
        }
        return .noReply
    }

    mutating func handleInfo(_ message: Term, process: ProcessContext) async throws -> GenServerAction {
        journal.record(.tuple(["info", message]))
        if case .integer(let n) = message { count += n }
        return .noReply
    }

    mutating func handleContinue(_ argument: Term, process: ProcessContext) async throws -> GenServerAction {
        journal.record(.tuple(["continue", argument]))
        return .noReply
    }

    mutating func terminate(reason: Term, process: ProcessContext) async {
        journal.record(.tuple(["terminate", reason]))
    }
}

/// A minimal name table for via-naming tests.
final class TestNames: ProcessNameRegistry {
    private let names = Mutex<[Term: PID]>([:])

    func registerName(_ name: Term, pid: PID) async -> Bool {
        names.withLock { names in
            guard names[name] == nil else { return false }
            names[name] = pid
            return true
        }
    }

    func unregisterName(_ name: Term) async { names.withLock { _ = $0.removeValue(forKey: name) } }

    func whereisName(_ name: Term) -> PID? { names.withLock { $0[name] } }
}
