/// What the handshake state machine asks its shell to do. The shell carries out the directives
/// of one call in order.
public enum HandshakeDirective: Sendable, Hashable {
    /// Send this message to the peer (as a 2-byte-length frame).
    case send(HandshakeMessage)
    /// Acceptor only: decide whether the initiator may connect, then call
    /// ``HandshakeStateMachine/acceptanceDecided(_:)``. `creation` is `nil` for a peer that sent
    /// the old version 5 `send_name` (its creation comes later, in the complement).
    case askAcceptance(peerName: String, flags: DistributionFlags, creation: UInt32?)
    /// Initiator only: the acceptor says it is already connected to a node of this node's name.
    /// Decide whether that old connection is stale (answer `true`: replace it) or this attempt is a
    /// mistake (`false`), then call ``HandshakeStateMachine/aliveAnswered(_:)``. OTP answers `true`
    /// when it still counts its own connection to the peer as pending.
    case askAlive(peerName: String)
    /// The handshake succeeded: switch the connection to 4-byte framed distribution traffic.
    case completed(HandshakeResult)
    /// The handshake failed: close the connection (after sending the messages of the same call)
    /// and log the failure.
    case failed(HandshakeFailure)
}

/// The acceptor node's answer to ``HandshakeDirective/askAcceptance(peerName:flags:creation:)``,
/// mirroring what OTP's `net_kernel` answers `dist_util` (`ok`, `ok_pending`/`nok_pending`,
/// `up_pending`).
public enum AcceptanceDecision: Sendable, Hashable {
    /// Accept: status `ok`.
    case allowed
    /// Refuse: status `not_allowed`, and the handshake fails with
    /// ``HandshakeFailure/Reason/notAllowed``.
    case notAllowed
    /// This node is itself connecting to the peer right now (a simultaneous connect). As OTP
    /// does, the names decide: when this node's name is greater, it keeps its own attempt and
    /// answers `nok` (this handshake fails with
    /// ``HandshakeFailure/Reason/simultaneousConnectLost``); otherwise it answers
    /// `ok_simultaneous`, continues this handshake, and must abandon its own attempt (the peer
    /// will answer it `nok` in any case).
    case simultaneous
    /// This node already has a connection to a node of that name: status `alive`. The initiator
    /// answers whether the old connection is stale; on `true` the handshake continues and the
    /// result says ``HandshakeResult/replacesExistingConnection``, on `false` it fails with
    /// ``HandshakeFailure/Reason/duplicateConnectionAbandoned``.
    case alreadyConnected
}

/// What the acceptor's shell hands the node when it asks for an ``AcceptanceDecision``.
public struct AcceptanceRequest: Sendable, Hashable {
    /// The initiator's full node name.
    public var peerName: String
    /// The flags the initiator offered.
    public var flags: DistributionFlags
    /// The initiator's creation; `nil` for a version 5 `send_name`.
    public var creation: UInt32?

    /// Creates a request.
    public init(peerName: String, flags: DistributionFlags, creation: UInt32?) {
        self.peerName = peerName
        self.flags = flags
        self.creation = creation
    }
}
