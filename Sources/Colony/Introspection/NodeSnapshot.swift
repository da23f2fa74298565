/// What one node shows an observer at one moment: its processes, its connections, its supervision
/// trees and its recent events. ``Node/snapshot(topProcesses:using:)`` takes one;
/// `colony_observer:snapshot(N)` gives one to another node (as a map term, through
/// ``ErlangTerm/TermEncoder``). Erlang's observer and Phoenix LiveDashboard show the same.
public struct NodeSnapshot: Sendable, Codable, Hashable {
    /// The node's name.
    public var name: String
    /// When it was taken, in milliseconds since 1970 (the node's wall clock).
    public var takenAt: Int64
    /// The number of live processes.
    public var processCount: Int
    /// The connected nodes.
    public var connections: [Peer]
    /// What carries the node's distribution: `tcp`, or its transport's name (`tls`); `nil` from a
    /// node that does not say.
    public var transport: String?
    /// The processes with the most messages waiting (then the most bytes queued), at most the
    /// number asked for.
    public var topProcesses: [ProcessSummary]
    /// The node's supervision trees, one per supervisor that no local supervisor supervises.
    public var supervision: [SupervisionNode]
    /// The node's recent events, oldest first.
    public var events: [ObservedEvent]

    /// One connection.
    public struct Peer: Sendable, Codable, Hashable {
        /// The peer's node name.
        public var name: String
        /// Whether the peer is hidden (not in `nodes()`).
        public var hidden: Bool
        /// What carries the connection: `tcp`, or the transport's description (`tls TLSv1.3 peer
        /// CN=...`); `nil` from a node that does not say.
        public var transport: String?

        /// A peer from its parts.
        public init(name: String, hidden: Bool, transport: String? = nil) {
            self.name = name
            self.hidden = hidden
            self.transport = transport
        }
    }

    /// A snapshot from its parts.
    public init(
        name: String, takenAt: Int64, processCount: Int, connections: [Peer], topProcesses: [ProcessSummary],
        supervision: [SupervisionNode], events: [ObservedEvent], transport: String? = nil
    ) {
        self.transport = transport
        self.name = name
        self.takenAt = takenAt
        self.processCount = processCount
        self.connections = connections
        self.topProcesses = topProcesses
        self.supervision = supervision
        self.events = events
    }
}

/// One process as an observer lists it.
public struct ProcessSummary: Sendable, Codable, Hashable {
    /// The pid, as Erlang prints it (`<0.42.0>`).
    public var pid: String
    /// The registered name, if any.
    public var name: String?
    /// Messages waiting: in the mailbox and taken from it but not yet received (selective
    /// receive); Erlang's `message_queue_len`.
    public var mailbox: Int
    /// An estimate of the bytes the messages still queued in the mailbox hold. Swift gives no
    /// per-process heap, so this is Colony's stand-in for `process_info(Pid, memory)`: it counts
    /// the terms queued, not the process's own state, nor the messages a selective receive has
    /// taken out and set aside (those count in ``mailbox`` only).
    public var queuedBytes: Int

    /// A summary from its parts.
    public init(pid: String, name: String?, mailbox: Int, queuedBytes: Int) {
        self.pid = pid
        self.name = name
        self.mailbox = mailbox
        self.queuedBytes = queuedBytes
    }
}

/// One entry of a supervision tree: a supervisor with its children, or a worker.
public struct SupervisionNode: Sendable, Codable, Hashable {
    /// The child id in its supervisor (for a root: its registered name or pid).
    public var id: String
    /// The pid when it runs.
    public var pid: String?
    /// The registered name, if any.
    public var name: String?
    /// `supervisor` or `worker`.
    public var type: String
    /// `running`, `restarting` or `stopped`.
    public var status: String
    /// A supervisor's children, in its start order.
    public var children: [SupervisionNode]

    /// An entry from its parts.
    public init(
        id: String, pid: String?, name: String?, type: String, status: String, children: [SupervisionNode] = []
    ) {
        self.id = id
        self.pid = pid
        self.name = name
        self.type = type
        self.status = status
        self.children = children
    }
}
