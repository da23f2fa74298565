/// Why a replicator operation failed.
public enum ReplicatorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer replicas answered than the consistency level needs before the timeout. A write was
    /// still applied locally and spreads in the background.
    case timeout(key: String, answered: Int, needed: Int)
    /// Fewer replicas are connected than the consistency level needs, so it cannot succeed now. A
    /// write was still applied locally and spreads in the background.
    case unreachable(key: String, connected: Int, needed: Int)
    /// The key was deleted; it cannot be used again.
    case deleted(key: String)
    /// The key holds a value of another type.
    case typeMismatch(key: String, holds: String, asked: String)
    /// The replicator was stopped.
    case stopped

    public var description: String {
        switch self {
        case .timeout(let key, let answered, let needed):
            "\(key): \(answered) of \(needed) replicas answered before the timeout"
        case .unreachable(let key, let connected, let needed):
            "\(key): \(connected) replicas reachable, \(needed) needed"
        case .deleted(let key): "\(key) was deleted"
        case .typeMismatch(let key, let holds, let asked): "\(key) holds \(holds), not \(asked)"
        case .stopped: "the replicator was stopped"
        }
    }
}
