public import ErlangTerm

/// A change in the set of connected nodes, as `net_kernel:monitor_nodes(true, [nodedown_reason])`
/// reports it.
public enum NodeEvent: Sendable, Equatable {
    /// A connection to `node` came up.
    case nodeUp(Atom, hidden: Bool)
    /// The connection to `node` went down, for `reason`.
    case nodeDown(Atom, hidden: Bool, reason: String)
}

/// The answer of ``Node/connect(to:)``, as `net_kernel:connect_node/1` (Elixir's `Node.connect/1`)
/// gives it.
public enum ConnectResult: Sendable, Equatable {
    /// Connected (or already connected).
    case connected
    /// The node could not be reached or refused the connection.
    case failed
    /// This node is not distributed (Elixir's `:ignored`).
    case ignored
}

/// Which connected nodes ``Node/nodes(_:)`` lists.
public enum NodeListKind: Sendable {
    /// Visible (published) nodes: Erlang's `nodes()`.
    case visible
    /// Hidden nodes.
    case hidden
    /// Every connected node.
    case connected
}
