public import ErlangTerm

/// Why a ``Registry`` refused an operation.
public enum RegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The unique key is held by this live process (Elixir's `{:already_registered, pid}`).
    case alreadyRegistered(PID)
    /// The process belongs to another node; a registry holds local processes only.
    case notLocal(PID)
    /// The process is not alive.
    case noProcess(PID)
    /// The operation needs a registry with unique keys.
    case notUnique
    /// The registry was stopped (or the owner process of the key's partition has ended).
    case stopped
    /// ``Registry/start(on:keys:partitions:name:)`` was given a name whose partition names are
    /// taken on the node.
    case nameTaken(Atom)

    /// The error as the term Elixir's `Registry` would give: `{already_registered, Pid}`,
    /// `{not_local, Pid}`, `noproc`, `not_unique`, `stopped`, `{already_started, Name}`.
    public var term: Term {
        switch self {
        case .alreadyRegistered(let pid): .tuple(["already_registered", .pid(pid)])
        case .notLocal(let pid): .tuple(["not_local", .pid(pid)])
        case .noProcess: .atom(ExitReasons.noproc)
        case .notUnique: "not_unique"
        case .stopped: "stopped"
        case .nameTaken(let name): .tuple(["already_started", .atom(name)])
        }
    }

    public var description: String {
        switch self {
        case .alreadyRegistered(let pid): "the key is already registered by \(pid)"
        case .notLocal(let pid): "\(pid) is on another node; a registry holds local processes only"
        case .noProcess(let pid): "\(pid) is not alive"
        case .notUnique: "the operation needs a registry with unique keys"
        case .stopped: "the registry is stopped"
        case .nameTaken(let name): "a registry named \(name) is already running on this node"
        }
    }
}
