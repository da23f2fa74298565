public import ColonyRaft
public import ErlangTerm

/// How a node holds its copy of a store group.
public enum CopyKind: String, Hashable, Sendable, CaseIterable {
    /// A voting replica whose log is on disk, synced before it acknowledges anything.
    case disc
    /// A replica in memory that receives every table and serves local reads but does not vote
    /// (a Raft learner): a restart loses its copy, never a decision, and it catches up again.
    case ram
}

/// A store group's settings on one node.
public struct StoreSettings: Sendable {
    /// The group's name: the nodes that run a store with this name replicate the same tables.
    public var group: String
    /// The voters of a new group (node names, this node among them). Empty to join a group that
    /// exists already (``Store/join(via:kind:timeout:)``).
    public var voters: [Atom]
    /// How this node holds its copy.
    public var kind: CopyKind
    /// Where a `disc` copy keeps its log (a directory, created when missing).
    public var directory: String?
    /// Raft's timing and batching.
    public var raft: RaftSettings
    /// How long a request may wait for a leader and a commit before it fails with
    /// ``StoreError/noQuorum``.
    public var requestTimeout: Duration
    /// How often the server's clock ticks Raft.
    public var tickInterval: Duration
    /// Take a snapshot (and compact the log) after this many applied entries.
    public var snapshotEvery: Int
    /// How often the leader deletes expired records.
    public var expiryInterval: Duration

    /// Settings for group `group`.
    public init(
        group: String = "default", voters: [Atom] = [], kind: CopyKind = .disc, directory: String? = nil,
        raft: RaftSettings = RaftSettings(), requestTimeout: Duration = .seconds(5),
        tickInterval: Duration = .milliseconds(10), snapshotEvery: Int = 20_000, expiryInterval: Duration = .seconds(1)
    ) {
        self.group = group
        self.voters = voters
        self.kind = kind
        self.directory = directory
        self.raft = raft
        self.requestTimeout = requestTimeout
        self.tickInterval = tickInterval
        self.snapshotEvery = snapshotEvery
        self.expiryInterval = expiryInterval
    }

    /// The name the group's server registers under on each node.
    public var serverName: Atom { Atom("colony_store_\(group)") }
}
