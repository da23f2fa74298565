/// Why a distribution connection ended, as `nodedown` reasons report it.
public enum DisconnectReason: Sendable, Equatable, CustomStringConvertible {
    /// The peer closed the connection (or its OS process died).
    case connectionClosed
    /// Nothing arrived from the peer for the whole tick time (`net_tick_timeout`).
    case netTickTimeout
    /// The peer sent something this node refuses.
    case protocolError(DistributionError)
    /// This node disconnected on request (`disconnect_node/1`).
    case disconnect
    /// This node is stopping.
    case nodeStopping
    /// A newer connection to the same node replaced this one.
    case replaced

    public var description: String {
        switch self {
        case .connectionClosed: return "connection_closed"
        case .netTickTimeout: return "net_tick_timeout"
        case .protocolError(let error): return "protocol_error: \(error)"
        case .disconnect: return "disconnect"
        case .nodeStopping: return "node_stopping"
        case .replaced: return "replaced"
        }
    }
}
