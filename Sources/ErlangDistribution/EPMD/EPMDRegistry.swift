/// Identifies one connection to an EPMD server, so that the registry can drop the node that a
/// connection registered when the connection closes.
public struct EPMDConnectionID: Hashable, Sendable, CustomStringConvertible {
    /// The number the server gave the connection.
    public var rawValue: UInt64

    /// Wraps a number.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// `#` and the number.
    public var description: String { "#\(rawValue)" }
}

/// The server side of EPMD as a pure state machine: which node names are registered, by which
/// connection, at which port, with which creation. No I/O: ``EPMDServer`` feeds it events.
///
/// Rules, as OTP's `epmd` applies them:
/// - a name is registered by at most one connection at a time; a second `ALIVE2_REQ` for it is
///   refused until the first connection closes;
/// - a name is 1 to 255 characters of UTF-8 without NUL; the extra field is at most 1020 bytes;
/// - every registration gets a creation: 32 bits, never 0, and different from the creation of
///   the previous registration of the same name, so that the pids, ports and references of an old
///   incarnation of a node are not mistaken for the new one's. (Colony takes the creations from
///   one counter, so two registrations never share one until the counter wraps after 2³² − 1.)
///
/// A connection holds at most one registration; closing the connection removes it.
public struct EPMDRegistry: Sendable {
    /// A registered node.
    public struct Entry: Hashable, Sendable {
        /// What the node registered.
        public var node: EPMDNodeInfo
        /// The creation EPMD gave this registration.
        public var creation: UInt32
        /// The connection that keeps the registration alive.
        public var connection: EPMDConnectionID
    }

    /// Why a registration was refused.
    public enum Refusal: Hashable, Sendable {
        /// Another connection has registered this name.
        case nameTaken
        /// The name is empty, too long, or contains NUL.
        case invalidName
        /// The extra field is longer than ``EPMDLimits/maximumFieldBytes``.
        case extraTooLong
        /// This connection has registered a name already.
        case connectionAlreadyRegistered
    }

    /// The outcome of ``register(_:connection:)``.
    public enum RegistrationResult: Hashable, Sendable {
        /// The node is registered with this creation.
        case registered(creation: UInt32)
        /// The node is not registered.
        case refused(Refusal)
    }

    /// Registered nodes by name (the name's UTF-8 bytes: EPMD compares names byte for byte).
    private var entries: [[UInt8]: Entry] = [:]
    /// The order of registration, for listings.
    private var order: [[UInt8]] = []
    private var keysByConnection: [EPMDConnectionID: [UInt8]] = [:]
    private var nextCreation: UInt32

    /// An empty registry whose first registration gets `firstCreation` (1 when it is 0).
    public init(firstCreation: UInt32) {
        nextCreation = firstCreation == 0 ? 1 : firstCreation
    }

    /// An empty registry whose creations start at a random value, as `epmd`'s start from its clock:
    /// a restarted EPMD then does not hand out the creations of its previous run again.
    public init() {
        self.init(firstCreation: UInt32.random(in: 1...UInt32.max))
    }

    /// How many nodes are registered.
    public var count: Int { entries.count }

    /// The registered nodes, oldest registration first.
    public var registeredNodes: [Entry] { order.compactMap { entries[$0] } }

    /// Name and port of every registered node, oldest registration first (the `NAMES_RESP` lines).
    public var nameList: [EPMDNamesResponse.Entry] {
        registeredNodes.map { EPMDNamesResponse.Entry(name: $0.node.name, port: Int($0.node.port)) }
    }

    /// What the node called `name` registered, or `nil` (a `PORT_PLEASE2_REQ`).
    public func lookup(_ name: String) -> EPMDNodeInfo? {
        entries[Array(name.utf8)]?.node
    }

    /// The registration that `connection` holds, if any.
    public func entry(for connection: EPMDConnectionID) -> Entry? {
        keysByConnection[connection].flatMap { entries[$0] }
    }

    /// Registers `node` for `connection` (an `ALIVE2_REQ`).
    public mutating func register(_ node: EPMDNodeInfo, connection: EPMDConnectionID) -> RegistrationResult {
        let key = Array(node.name.utf8)
        guard Self.isValidName(node.name, bytes: key) else { return .refused(.invalidName) }
        guard node.extra.count <= EPMDLimits.maximumFieldBytes else { return .refused(.extraTooLong) }
        guard keysByConnection[connection] == nil else { return .refused(.connectionAlreadyRegistered) }
        guard entries[key] == nil else { return .refused(.nameTaken) }
        let creation = takeCreation()
        entries[key] = Entry(node: node, creation: creation, connection: connection)
        order.append(key)
        keysByConnection[connection] = key
        return .registered(creation: creation)
    }

    /// Registers a node from the fields of an `ALIVE2_REQ`.
    public mutating func register(
        name: String, port: UInt16, nodeType: EPMDNodeType, protocol: UInt8, highestVersion: UInt16,
        lowestVersion: UInt16, extra: [UInt8], connection: EPMDConnectionID
    ) -> RegistrationResult {
        register(
            EPMDNodeInfo(
                name: name, port: port, nodeType: nodeType, protocol: `protocol`, highestVersion: highestVersion,
                lowestVersion: lowestVersion, extra: extra),
            connection: connection)
    }

    /// Forgets the registration that `connection` held, because the connection closed.
    ///
    /// - Returns: the removed registration, or `nil` when the connection held none.
    @discardableResult
    public mutating func connectionClosed(_ connection: EPMDConnectionID) -> Entry? {
        guard let key = keysByConnection.removeValue(forKey: connection), let entry = entries.removeValue(forKey: key)
        else {
            return nil
        }
        order.removeAll { $0 == key }
        return entry
    }

    private mutating func takeCreation() -> UInt32 {
        let creation = nextCreation
        nextCreation = creation == UInt32.max ? 1 : creation + 1
        return creation
    }

    private static func isValidName(_ name: String, bytes: [UInt8]) -> Bool {
        !bytes.isEmpty && bytes.count <= EPMDLimits.maximumFieldBytes && !bytes.contains(0)
            && name.unicodeScalars.count <= EPMDLimits.maximumNameCharacters
    }
}
