/// The two sides of a distribution handshake.
public enum HandshakeRole: Sendable, Hashable, CustomStringConvertible {
    /// The node that opened the TCP connection and sends `send_name` first (node `A` in
    /// `erl_dist_protocol.md`).
    case initiator
    /// The node that accepted the TCP connection and sends the status and the challenge (node `B`).
    case acceptor

    /// The other side.
    public var peer: HandshakeRole {
        switch self {
        case .initiator: .acceptor
        case .acceptor: .initiator
        }
    }

    public var description: String {
        switch self {
        case .initiator: "initiator"
        case .acceptor: "acceptor"
        }
    }
}
