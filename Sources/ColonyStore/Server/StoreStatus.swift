public import ColonyRaft

/// What one replica of a store group knows, for dashboards and health checks.
public struct StoreStatus: Sendable, Equatable {
    /// This replica's node.
    public var node: String
    /// Its Raft role.
    public var role: RaftRole
    /// The current term.
    public var term: UInt64
    /// The leader, if known.
    public var leader: String?
    /// The highest committed index known here.
    public var commitIndex: UInt64
    /// The highest index applied to the tables here.
    public var appliedIndex: UInt64
    /// The last index in this replica's log.
    public var lastIndex: UInt64
    /// The voters and learners.
    public var voters: [String]
    /// The replicas that receive the log without voting.
    public var learners: [String]
    /// The leader's view of each follower's matching index (empty unless leader).
    public var matchIndexes: [String: UInt64]
    /// Tables and their record counts.
    public var tables: [String: Int]
    /// `fdatasync` calls made (disc copies).
    public var syncs: Int

    /// An empty status for `node`.
    public init(node: String) {
        self.node = node
        role = .follower
        term = 0
        leader = nil
        commitIndex = 0
        appliedIndex = 0
        lastIndex = 0
        voters = []
        learners = []
        matchIndexes = [:]
        tables = [:]
        syncs = 0
    }
}
