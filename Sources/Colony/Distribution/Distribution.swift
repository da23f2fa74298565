import ErlangDistribution
import ErlangTerm
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A node's distribution: its listener and EPMD registration, its connections by peer name, the
/// connection attempts under way, and the subscribers to node events. A node that is not
/// distributed has one too, disabled: every remote operation then finds no connection.
final class Distribution: Sendable {
    struct State: ~Copyable {
        var node: Node?
        var connections: [Atom: DistributionConnection] = [:]
        /// Which local processes have links or monitors over each open connection.
        var routes = ConnectionRoutes()
        var connecting: [Atom: Task<DistributionConnection?, Never>] = [:]
        var subscribers: [Int: AsyncStream<NodeEvent>.Continuation] = [:]
        var nextSubscriber = 0
        /// Handshakes this node is accepting and has let go on, by peer (channel identities).
        var accepting: [Atom: Set<ObjectIdentifier>] = [:]
        /// Local processes told of node events by message (`net_kernel:monitor_nodes/2`).
        var nodeWatchers: Set<PID> = []
        var listener: (any Channel)?
        var epmd: EPMDBinding?
        var systemPID: PID?
        var stopping = false
        var handshake: HandshakeConfiguration?
        /// Connected peers known to be Colony nodes (they asked for or sent a peer list).
        var colonyPeers: Set<Atom> = []
        /// What the transport said of each connection when it was installed (TLS version, peer
        /// certificate), by connection.
        var transportDescriptions: [ObjectIdentifier: String] = [:]
    }

    /// Everything EPMD-related a running node holds on to.
    struct EPMDBinding: Sendable {
        var registration: EPMDRegistration?
        var server: EPMDServer?
    }

    let localName: Atom
    let configuration: NodeConfiguration?
    let group: any EventLoopGroup
    let logger: Logger
    let state = Mutex(State())
    /// Bytes all connections' fragmented messages hold while being reassembled.
    let fragmentBudget: FragmentBudget
    /// The node's metrics, when on: fixed at start, so a call reads it without a lock.
    let metrics: NodeMetrics?
    /// The node's recent events (node up and down here; supervisors add theirs).
    let eventLog: NodeEventLog
    private let unlinkCounter = Atomic<UInt64>(1)

    /// A disabled distribution for a local-only node.
    init(disabledFor name: Atom, group: any EventLoopGroup) {
        localName = name
        configuration = nil
        fragmentBudget = FragmentBudget(limit: 0)
        metrics = nil
        eventLog = NodeEventLog(node: name.name)
        self.group = group
        logger = Logger(label: "colony.distribution")
    }

    init(configuration: NodeConfiguration, handshake: HandshakeConfiguration, group: any EventLoopGroup, logger: Logger)
    {
        localName = Atom(handshake.localName)
        self.configuration = configuration
        fragmentBudget = FragmentBudget(limit: configuration.maximumFragmentBytesPerNode)
        metrics = configuration.metrics ? NodeMetrics(node: handshake.localName) : nil
        eventLog = NodeEventLog(node: handshake.localName)
        self.group = group
        self.logger = logger
        state.withLock { $0.handshake = handshake }
    }

    /// What a connection's inbound side may hold and decode.
    var inboundLimits: DistributionInbound.Limits {
        var limits = DistributionInbound.Limits()
        if let configuration {
            limits.maximumMessageSize = configuration.maximumFrameSize
            limits.maximumPartialBytes = configuration.maximumFragmentBytesPerConnection
        }
        limits.nodeBudget = fragmentBudget
        return limits
    }

    /// The handshake configuration (its creation is set once EPMD has given one).
    var handshake: HandshakeConfiguration? { state.withLock { $0.handshake } }

    var isEnabled: Bool { configuration != nil }

    var node: Node? { state.withLock { $0.node } }

    /// The pid Colony uses as the sender of node-level messages (its `net_kernel` process).
    var systemPID: PID? { state.withLock { $0.systemPID } }

    func nextUnlinkID() -> UInt64 {
        unlinkCounter.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// The open connection to `peer`, if any, without suspending.
    func openConnection(to peer: Atom) -> DistributionConnection? {
        state.withLock { $0.connections[peer] }
    }

    /// The connection to `peer`, connecting on demand. `nil` when the node cannot be reached.
    func connection(to peer: Atom) async -> DistributionConnection? {
        enum Lookup {
            case ready(DistributionConnection?)
            case wait(Task<DistributionConnection?, Never>)
        }
        let lookup = state.withLock { state -> Lookup in
            if let connection = state.connections[peer] { return .ready(connection) }
            guard configuration != nil, peer != localName, !state.stopping else { return .ready(nil) }
            if let task = state.connecting[peer] { return .wait(task) }
            let task = Task { await self.establish(peer) }
            state.connecting[peer] = task
            return .wait(task)
        }
        switch lookup {
        case .ready(let connection): return connection
        case .wait(let task): return await task.value
        }
    }

    /// The open connection over `route` to `peer`: `nil` when that connection is gone, even if a
    /// later one to the same node is up (a link or monitor belongs to the connection it was made on).
    func openConnection(for route: SignalRoute, to peer: Atom) -> DistributionConnection? {
        guard let connection = openConnection(to: peer), connection.id == route.connection else { return nil }
        return connection
    }

    /// Records that `pid` has a link or monitor over `route`; `false` when that connection has
    /// closed (see ``ConnectionRoutes``).
    func attach(_ pid: PID, to route: SignalRoute) -> Bool {
        if route.isLocal { return true }
        return state.withLock { $0.routes.attach(pid, to: route) }
    }

    /// Forgets an ended process on the routes it had.
    func detach(_ pid: PID, from routes: Set<SignalRoute>) {
        if routes.isEmpty { return }
        state.withLock { $0.routes.detach(pid, from: routes) }
    }

    /// Whether the node has started and is not stopping.
    var isRunning: Bool { state.withLock { $0.node != nil && !$0.stopping } }

    /// Every connected peer, with whether it is hidden and what carries its connection.
    var peers: [(name: Atom, hidden: Bool, transport: String)] {
        state.withLock { state in
            state.connections.map {
                (
                    $0.key, !$0.value.handshake.isPublished,
                    state.transportDescriptions[ObjectIdentifier($0.value)] ?? transportName
                )
            }
        }
    }

    /// What carries this node's distribution: `tcp` or the transport's name.
    var transportName: String { configuration?.transport?.name ?? "tcp" }

    // MARK: - Events

    func events() -> AsyncStream<NodeEvent> {
        let (stream, continuation) = AsyncStream<NodeEvent>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let id = state.withLock { state -> Int in
            defer { state.nextSubscriber += 1 }
            state.subscribers[state.nextSubscriber] = continuation
            return state.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    func publish(_ event: NodeEvent) {
        switch event {
        case .nodeUp(let peer, let hidden):
            eventLog.record(.nodeUp, subject: peer.name, detail: hidden ? "hidden" : "")
        case .nodeDown(let peer, _, let reason):
            eventLog.record(.nodeDown, subject: peer.name, detail: reason)
        }
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers { subscriber.yield(event) }
    }

    /// Adds or removes a local process that gets node events as messages.
    func watchNodes(_ pid: PID, _ on: Bool) {
        state.withLock { state in
            if on { state.nodeWatchers.insert(pid) } else { state.nodeWatchers.remove(pid) }
        }
    }

    /// Puts `{nodeup, Node, Info}` or `{nodedown, Node, Info}` into every watcher's mailbox, in
    /// this thread: called before a new connection delivers anything, and after a closed one has
    /// delivered its last signal. `Info` is `#{connection_id => Id, node_type => visible | hidden}`,
    /// with `nodedown_reason` for a down.
    func tellWatchers(up: Bool, peer: Atom, connection: UInt64, hidden: Bool, reason: String? = nil) {
        guard let node else { return }
        let watchers = state.withLock { $0.nodeWatchers }
        guard !watchers.isEmpty else { return }
        var info: [(Term, Term)] = [
            (.atom("connection_id"), .integer(Int(truncatingIfNeeded: connection))),
            (.atom("node_type"), .atom(hidden ? "hidden" : "visible")),
        ]
        if let reason { info.append((.atom("nodedown_reason"), .atom(Atom(reason)))) }
        let message: Term = .tuple([.atom(up ? "nodeup" : "nodedown"), .atom(peer), .map(TermMap(info))])
        var gone: [PID] = []
        for pid in watchers where !node.deliverIfAlive(message, to: pid) { gone.append(pid) }
        if !gone.isEmpty { state.withLock { state in for pid in gone { state.nodeWatchers.remove(pid) } } }
    }

    func finishEvents() {
        let subscribers = state.withLock { state in
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }
}

extension DistributionConnection {
    /// Whether the peer takes `SEND_SENDER`.
    var supportsSendSender: Bool { handshake.flags.contains(.sendSender) }
    /// Whether the peer takes the `PAYLOAD_*` exit messages.
    var supportsExitPayload: Bool { handshake.flags.contains(.exitPayload) }
    /// Whether the peer takes `UNLINK_ID`.
    var supportsUnlinkID: Bool { handshake.flags.contains(.unlinkID) }

    /// Sends, logging (and dropping) a message that cannot be encoded.
    func deliver(_ control: ControlMessage, payload: Term?) async {
        do {
            try await send(control, payload: payload)
        } catch {
            Logger(label: "colony.distribution").error("dropped a message to \(peerName): \(error)")
        }
    }
}
