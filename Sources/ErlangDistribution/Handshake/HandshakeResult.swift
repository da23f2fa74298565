/// What a successful handshake established.
public struct HandshakeResult: Sendable, Hashable, CustomStringConvertible {
    /// The side this node played.
    public var role: HandshakeRole
    /// The peer's full node name.
    public var peerName: String
    /// The peer's creation (its incarnation), as found in its pids, ports and references.
    public var peerCreation: UInt32
    /// The flags the peer offered, as sent (its ``DistributionFlags/mandatory25Digest`` bit not
    /// expanded).
    public var peerFlags: DistributionFlags
    /// The flags this node offered.
    public var localFlags: DistributionFlags
    /// The flags the connection uses: ``DistributionFlags/negotiated(with:)`` of both. The
    /// connection is published (visible) only when this contains ``DistributionFlags/published``.
    public var flags: DistributionFlags
    /// The status was `ok_simultaneous`: this connection won a simultaneous connect, and the
    /// acceptor's own attempt in the other direction is to be dropped.
    public var wonSimultaneousConnect: Bool
    /// Acceptor only: the peer answered `true` to `alive`, so this node's older connection to the
    /// peer is stale and must be closed in favour of this one.
    public var replacesExistingConnection: Bool

    /// Creates a result.
    public init(
        role: HandshakeRole, peerName: String, peerCreation: UInt32, peerFlags: DistributionFlags,
        localFlags: DistributionFlags, flags: DistributionFlags, wonSimultaneousConnect: Bool = false,
        replacesExistingConnection: Bool = false
    ) {
        self.role = role
        self.peerName = peerName
        self.peerCreation = peerCreation
        self.peerFlags = peerFlags
        self.localFlags = localFlags
        self.flags = flags
        self.wonSimultaneousConnect = wonSimultaneousConnect
        self.replacesExistingConnection = replacesExistingConnection
    }

    /// Whether the connection is published (both sides set ``DistributionFlags/published``).
    public var isPublished: Bool { flags.contains(.published) }

    public var description: String {
        "handshake as \(role) with \(peerName) (creation \(peerCreation)) completed, "
            + "\(isPublished ? "published" : "hidden"), flags 0x\(String(flags.rawValue, radix: 16))"
    }
}
