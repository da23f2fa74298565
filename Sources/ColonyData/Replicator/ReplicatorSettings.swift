public import ErlangTerm

/// How a ``Replicator`` runs.
public struct ReplicatorSettings: Sendable {
    /// The name the replicator registers under on every node; replicators of one name form one
    /// replica set.
    public var name: Atom = "colony_ddata"
    /// How often each replicator asks its peers for what changed since it last asked
    /// (anti-entropy); a healed partition converges within about one interval.
    public var gossipInterval: Duration = .seconds(1)
    /// How long local deltas gather before they go to the peers in one batch (zero: at once).
    /// Writes at a consistency level above `.local` go out at once regardless.
    public var deltaInterval: Duration = .milliseconds(5)
    /// How many peers one gossip round asks; `nil` asks every connected peer.
    public var gossipFanout: Int? = nil
    /// The most parts one transfer carries; a larger backlog goes in several rounds.
    public var transferLimit: Int = 2000
    /// How long a disconnected peer still counts as a replica for `majority` and `all`.
    public var forgetDisconnectedAfter: Duration = .seconds(300)
    /// Counts the bytes of anti-entropy answers in ``ReplicatorStatistics/bytesSent`` (encodes
    /// each answer once more: for measurements, not for production).
    public var measuresTransfers = false
    /// The value types accepted from peers.
    public var types = ReplicatedTypes()
    /// This node's incarnation; `nil` draws a fresh one, so dots and counts of an earlier life
    /// that peers still hold are never reused. Only its low 62 bits are used.
    public var incarnation: UInt64? = nil
    /// The keys kept on disk and where; `nil` keeps everything in memory only.
    public var durable: DurableSettings? = nil
    /// Seeds the choice of gossip peers; `nil` seeds from the system.
    public var seed: UInt64? = nil

    /// The defaults.
    public init() {}
}
