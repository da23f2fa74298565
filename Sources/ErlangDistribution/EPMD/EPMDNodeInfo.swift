/// The kind of node an EPMD entry describes: the `NodeType` byte of `ALIVE2_REQ` and `PORT2_RESP`.
///
/// Unknown values are kept as they are, so that a registry can report whatever a node registered.
public struct EPMDNodeType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The byte on the wire.
    public var rawValue: UInt8

    /// Wraps a byte from the wire.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A normal, visible Erlang node (`77`, `$M`).
    public static let normal = EPMDNodeType(rawValue: 77)
    /// A hidden node, such as a C node (`72`, `$H`).
    public static let hidden = EPMDNodeType(rawValue: 72)

    /// `normal`, `hidden`, or the number of another type.
    public var description: String {
        switch self {
        case .normal: "normal"
        case .hidden: "hidden"
        default: "type \(rawValue)"
        }
    }
}

/// What EPMD knows about one registered node: the fields of `ALIVE2_REQ`, returned by `PORT2_RESP`.
public struct EPMDNodeInfo: Hashable, Sendable {
    /// The node's name without the host part (`a` for `a@127.0.0.1`).
    public var name: String
    /// The TCP port on which the node accepts distribution connections.
    public var port: UInt16
    /// Whether the node is visible or hidden.
    public var nodeType: EPMDNodeType
    /// The transport protocol: 0 is TCP/IPv4, the only value OTP uses.
    public var `protocol`: UInt8
    /// The highest distribution protocol version the node handles (6 from OTP 23).
    public var highestVersion: UInt16
    /// The lowest distribution protocol version the node handles (6 from OTP 25).
    public var lowestVersion: UInt16
    /// The opaque extra field.
    public var extra: [UInt8]

    /// An entry with every field given; the defaults describe a visible OTP 25 node over TCP.
    public init(
        name: String, port: UInt16, nodeType: EPMDNodeType = .normal, protocol: UInt8 = 0,
        highestVersion: UInt16 = ErlangDistributionProtocol.handshakeVersion,
        lowestVersion: UInt16 = ErlangDistributionProtocol.handshakeVersion, extra: [UInt8] = []
    ) {
        self.name = name
        self.port = port
        self.nodeType = nodeType
        self.protocol = `protocol`
        self.highestVersion = highestVersion
        self.lowestVersion = lowestVersion
        self.extra = extra
    }
}
