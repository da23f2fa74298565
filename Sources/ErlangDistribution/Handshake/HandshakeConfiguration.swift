/// What a node brings to a handshake: its name, creation, flags and cookies.
public struct HandshakeConfiguration: Sendable {
    /// This node's full name, `name@host`.
    public var localName: String
    /// This node's creation (its incarnation, from EPMD's `ALIVE2_X_RESP`), used in its pids,
    /// ports and references.
    public var localCreation: UInt32
    /// The flags this node offers; ``DistributionFlags/colonyDefault`` unless changed.
    public var localFlags: DistributionFlags
    /// The flags a peer must offer, or the connection is refused; ``DistributionFlags/required``
    /// unless changed. A peer's ``DistributionFlags/mandatory25Digest`` bit stands for all of
    /// ``DistributionFlags/mandatory25``.
    public var requiredFlags: DistributionFlags
    /// The cookie for each peer.
    public var cookie: HandshakeCookie

    /// A configuration for the node `localName` (`name@host`).
    ///
    /// - Throws: ``HandshakeConfigurationError`` when the name is not `name@host` with both parts
    ///   non-empty and at most 255 characters in all, or when `localFlags` lacks
    ///   ``DistributionFlags/handshake23`` or asks for a dynamic name (``DistributionFlags/nameMe``).
    public init(
        localName: String, localCreation: UInt32, localFlags: DistributionFlags = .colonyDefault,
        requiredFlags: DistributionFlags = .required, cookie: HandshakeCookie
    ) throws(HandshakeConfigurationError) {
        if let reason = NodeName.problem(with: localName) { throw .invalidNodeName(localName, reason) }
        guard localFlags.contains(.handshake23) else { throw .invalidFlags("HANDSHAKE_23 is not set") }
        guard !localFlags.contains(.nameMe) else { throw .invalidFlags("NAME_ME (dynamic names) is not supported") }
        self.localName = localName
        self.localCreation = localCreation
        self.localFlags = localFlags
        self.requiredFlags = requiredFlags
        self.cookie = cookie
    }
}

/// Why a ``HandshakeConfiguration`` could not be made.
public enum HandshakeConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The node name is not a valid full node name.
    case invalidNodeName(String, String)
    /// The local flags cannot be used for a version 6 handshake.
    case invalidFlags(String)

    public var description: String {
        switch self {
        case .invalidNodeName(let name, let reason): "invalid node name \"\(name)\": \(reason)"
        case .invalidFlags(let reason): "invalid distribution flags: \(reason)"
        }
    }
}

/// The cookie a node uses with each peer.
///
/// OTP uses one cookie per peer in both directions (`auth:get_cookie(Node)`), which is the
/// default cookie unless `erlang:set_cookie(Node, Cookie)` set another for that node.
public enum HandshakeCookie: Sendable {
    /// The same cookie for every peer.
    case fixed(String)
    /// A cookie chosen by the peer's full node name.
    case perNode(@Sendable (String) -> String)

    /// The cookie for `peerName`.
    public func cookie(for peerName: String) -> String {
        switch self {
        case .fixed(let cookie): cookie
        case .perNode(let resolve): resolve(peerName)
        }
    }
}

/// Checks on full node names (`name@host`), as OTP's `dist_util:is_node_name/1` makes them.
enum NodeName {
    /// Why `name` is not a full node name, or `nil` when it is one.
    static func problem(with name: String) -> String? {
        let parts = name.split(separator: "@", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return "not of the form name@host" }
        guard !parts[0].isEmpty, !parts[1].isEmpty else { return "empty name or host part" }
        guard name.unicodeScalars.count <= HandshakeMessage.maximumNameLength else {
            return "more than \(HandshakeMessage.maximumNameLength) characters"
        }
        return nil
    }

    /// Whether `left` sorts after `right` as Erlang compares atoms (by character, which for
    /// UTF-8 is by byte).
    static func isGreater(_ left: String, than right: String) -> Bool {
        right.utf8.lexicographicallyPrecedes(left.utf8)
    }
}
