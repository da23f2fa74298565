public import ErlangTerm

/// How a caller names a server process: by pid, by a name registered on this node, by a name on
/// another node, or through a ``ProcessNameRegistry`` (OTP's `{via, Module, Name}`).
public enum ServerRef: Sendable, CustomStringConvertible {
    /// A process by pid, local or remote.
    case pid(PID)
    /// A name registered on this node.
    case name(Atom)
    /// A name registered on `node` (`{Name, Node}`); the local node's name means a local name.
    case remote(Atom, node: Atom)
    /// A name held by a registry.
    case via(any ProcessNameRegistry, Term)
    /// A name registered cluster-wide with `global` (OTP's `{global, Name}`), resolved through the
    /// registry installed with ``Node/installGlobalRegistry(_:)``.
    case global(Term)

    /// The term OTP would show for this server in an exit reason (`Pid`, `Name`, `{Name, Node}`,
    /// `{via, Registry, Name}`).
    public var term: Term {
        switch self {
        case .pid(let pid): .pid(pid)
        case .name(let name): .atom(name)
        case .remote(let name, let node): .tuple([.atom(name), .atom(node)])
        case .via(let registry, let name): .tuple(["via", .atom(Atom(String(describing: type(of: registry)))), name])
        case .global(let name): .tuple(["global", name])
        }
    }

    public var description: String { term.description }
}
