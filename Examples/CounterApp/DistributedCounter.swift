import Colony
import ErlangTerm

/// The guide's `DistributedCounter`: a GenServer per counter name, registered in the node's
/// `CounterRegistry` (via-naming), that answers `{increment, N}`, `{decrement, N}` and `value`,
/// and every `syncInterval` sends its PN-Counter to the same counter on the other nodes, merging
/// what it receives.
///
/// The guide casts to `{via_tuple(name), node}`, which `GenServer.cast` cannot address (a via
/// name is local to its node's registry). Here each node runs a `counter_sync` router that looks
/// the name up in its own registry and forwards the state.
struct DistributedCounter: GenServer {
    let name: String
    let syncInterval: Duration
    var counter = PNCounter()

    mutating func initialize(process: ProcessContext) async throws -> GenServerStart {
        scheduleSync(process)
        return .ready
    }

    mutating func handleCall(_ request: Term, from: CallerRef, process: ProcessContext) async throws -> CallResult {
        let here = process.node.name.name
        switch request {
        case "value":
            return .reply(.integer(counter.value))
        case .tuple(let parts) where parts.count == 2:
            guard case .integer(let amount) = parts[1], amount > 0 else { return .reply(.tuple(["error", "badarg"])) }
            if parts[0] == "increment" {
                counter.increment(by: amount, at: here)
            } else if parts[0] == "decrement" {
                counter.decrement(by: amount, at: here)
            } else {
                return .reply(.tuple(["error", "unknown_request"]))
            }
            return .reply(.integer(counter.value))
        case "crash":
            throw ProcessExit("crash_requested")
        default:
            return .reply(.tuple(["error", "unknown_request"]))
        }
    }

    mutating func handleCast(_ request: Term, process: ProcessContext) async throws -> GenServerAction {
        // {sync, State} from the same counter on another node.
        if case .tuple(let parts) = request, parts.count == 2, parts[0] == "sync",
            let remote = try? TermDecoder().decode(PNCounter.self, from: parts[1])
        {
            counter = counter.merged(with: remote)
        }
        return .noReply
    }

    mutating func handleInfo(_ message: Term, process: ProcessContext) async throws -> GenServerAction {
        guard message == "sync" else { return .noReply }
        let state = try TermEncoder().encode(counter)
        for peer in process.node.nodes() {
            await process.send(.tuple(["sync", .string(name), state]), to: CounterSync.name, on: peer)
        }
        scheduleSync(process)
        return .noReply
    }

    /// `Process.send_after(self(), :sync, interval)`.
    private func scheduleSync(_ process: ProcessContext) {
        let node = process.node
        let pid = process.pid
        let interval = syncInterval
        Task {
            try await Task.sleep(for: interval)
            await node.send("sync", to: pid)
        }
    }
}

/// The per-node router for counter states: `{sync, Name, State}` goes to the counter registered
/// under `Name` here, as a `{sync, State}` cast.
enum CounterSync {
    static let name: Atom = "counter_sync"

    static func start(on node: Node, registry: Registry) {
        let router = node.spawnReactor(initial: ()) { _, message, process in
            if case .tuple(let parts) = message, parts.count == 3, parts[0] == "sync",
                let pid = registry.whereisName(parts[1])
            {
                await process.cast(.pid(pid), .tuple(["sync", parts[2]]))
            }
            return .continue
        }
        _ = node.register(name, pid: router)
    }
}
