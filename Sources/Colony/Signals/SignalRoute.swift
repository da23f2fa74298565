/// The way a link or monitor reaches the other process: within this node, or over one
/// distribution connection, named by that connection's identity.
///
/// Erlang ties a link or monitor to the connection it was made over: losing that connection
/// breaks it (`noconnection`), and a later connection to the same node name starts with none.
/// Recording the route with each link and monitor is what lets a connection's loss break exactly
/// its own, and lets a signal that arrives over one connection act only on what was made over it.
struct SignalRoute: Hashable, Sendable, CustomStringConvertible {
    /// The connection's identity (``ErlangDistribution/DistributionConnection/id``); 0 within the node.
    let connection: UInt64

    /// Within this node.
    static let local = SignalRoute(connection: 0)

    /// Over the connection with identity `connection`.
    init(connection: UInt64) {
        self.connection = connection
    }

    /// Whether the other process is on this node.
    var isLocal: Bool { connection == 0 }

    var description: String { isLocal ? "local" : "connection #\(connection)" }
}
