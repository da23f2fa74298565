public import ErlangDistribution
public import NIOCore

/// What carries a node's distribution connections when it is not plain TCP: it adds its handlers
/// (TLS, say) to each connection's channel before the Erlang handshake runs inside them, and may
/// refuse a peer once the handshake has named it.
///
/// Set one as ``NodeConfiguration/transport``; `nil` is plain TCP, as OTP's `inet_tcp_dist`.
/// `ColonyTLS` provides `TLSTransport`, which speaks OTP's `inet_tls_dist`. EPMD is not affected:
/// it stays plain, as in OTP.
///
/// Every method runs on the channel's event loop and must not block.
public protocol DistributionTransport: Sendable {
    /// A short name for logs, snapshots and the dashboard: `"tls"`.
    var name: String { get }
    /// How the handshake's messages are framed inside this transport.
    var handshakeFraming: HandshakeFraming { get }
    /// Adds this transport's handlers to a channel this node opens to `peerHost` (the host part of
    /// the peer's node name), before it connects.
    func prepareOutbound(_ channel: any Channel, peerHost: String) throws
    /// Adds this transport's handlers to a channel a peer opened to this node.
    func prepareInbound(_ channel: any Channel) throws
    /// Called on a connection a peer opened, when its handshake names it (`send_name`), before
    /// this node answers. Throwing refuses the peer: it is told `not_allowed`, and the error is
    /// logged. (On connections this node opens, the transport checks the peer in
    /// ``prepareOutbound(_:peerHost:)``'s handlers, knowing the host it dials.)
    func authorize(_ channel: any Channel, peerName: String) throws
    /// A description of the transport's state on `channel` (its protocol version, the peer's
    /// certificate subject), for introspection; `nil` when there is nothing to say.
    func describe(_ channel: any Channel) -> String?
}
