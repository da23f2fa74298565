public import NIOCore

/// A node name registered with EPMD, alive for as long as its connection is open.
///
/// EPMD unregisters the node when the connection closes: call ``close()`` to unregister. When
/// the last reference goes away without ``close()``, the connection is closed too. If EPMD itself
/// goes away, ``closeFuture`` completes and ``isActive`` turns `false`; the node may register again.
public final class EPMDRegistration: Sendable {
    /// What was registered.
    public let node: EPMDNodeInfo
    /// The creation EPMD gave this incarnation of the node (32 bits; never 0 from OTP's `epmd` or
    /// Colony's server). Pids, ports and references the node creates carry it.
    public let creation: UInt32
    private let channel: any Channel

    init(node: EPMDNodeInfo, creation: UInt32, channel: any Channel) {
        self.node = node
        self.creation = creation
        self.channel = channel
    }

    deinit {
        channel.close(promise: nil)
    }

    /// The registered name.
    public var name: String { node.name }

    /// The registered distribution port.
    public var port: Int { Int(node.port) }

    /// Whether the connection to EPMD, and so the registration, is still open.
    public var isActive: Bool { channel.isActive }

    /// Completes when the connection to EPMD closes, whoever closed it.
    public var closeFuture: EventLoopFuture<Void> { channel.closeFuture }

    /// Unregisters the node by closing the connection to EPMD. Closing twice does nothing.
    public func close() async {
        channel.close(promise: nil)
        try? await channel.closeFuture.get()
    }
}
