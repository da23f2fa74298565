import Colony
import ColonyData
import ErlangTerm

/// The guide's `DistributedCounter`: a GenServer per counter name, registered in the node's
/// `CounterRegistry` (via-naming), that answers `{increment, N}`, `{decrement, N}` and `value`.
///
/// The guide keeps a PN-Counter in the server and sends it to the other nodes every sync
/// interval. Here the counter is a ``PNCounter`` held by the node's ``Replicator`` under
/// `counter:NAME`: an increment is a local update whose delta reaches the other nodes within
/// milliseconds, the replicator's anti-entropy (every `syncInterval`) repairs what a lost
/// connection missed, and a counter restarted by its supervisor keeps its value.
struct DistributedCounter: GenServer {
    let name: String
    let replicator: Replicator

    var key: DataKey<PNCounter> { DataKey("counter:\(name)") }

    mutating func handleCall(_ request: Term, from: CallerRef, process: ProcessContext) async throws -> CallResult {
        switch request {
        case "value":
            return .reply(.integer(Int(try await replicator.get(key)?.value ?? 0)))
        case .tuple(let parts) where parts.count == 2:
            guard case .integer(let amount) = parts[1], amount > 0 else { return .reply(.tuple(["error", "badarg"])) }
            if parts[0] == "increment" {
                try await replicator.update(key) { $0.increment(by: Int64(amount), at: $1) }
            } else if parts[0] == "decrement" {
                try await replicator.update(key) { $0.decrement(by: Int64(amount), at: $1) }
            } else {
                return .reply(.tuple(["error", "unknown_request"]))
            }
            return .reply(.integer(Int(try await replicator.get(key)?.value ?? 0)))
        case "crash":
            throw ProcessExit("crash_requested")
        default:
            return .reply(.tuple(["error", "unknown_request"]))
        }
    }
}
