public import ErlangTerm

/// The name a server registers under when it starts (OTP's `{local, Name}` / `{via, Mod, Name}`).
public enum ServerName: Sendable {
    /// A name on this node.
    case local(Atom)
    /// A name in a registry.
    case via(any ProcessNameRegistry, Term)
    /// A cluster-wide name (`{global, Name}`), through the node's installed global registry.
    case global(Term)

    /// How callers address a server of this name.
    public var ref: ServerRef {
        switch self {
        case .local(let name): .name(name)
        case .via(let registry, let name): .via(registry, name)
        case .global(let name): .global(name)
        }
    }
}
