/// Timing and batching of a Raft server.
public struct RaftSettings: Hashable, Sendable {
    /// A follower that hears nothing from a leader for a random time between this and twice this
    /// starts an election; a leader that hears from no majority for this long steps down.
    public var electionTimeout: Duration
    /// How often the leader sends heartbeats (and retries what was lost).
    public var heartbeatInterval: Duration
    /// At most this many entries in one append.
    public var maxEntriesPerAppend: Int
    /// At most about this many bytes of entries in one append.
    public var maxBytesPerAppend: Int
    /// At most this many appends in flight to one follower (pipelining).
    public var maxInflightAppends: Int
    /// At most this many entries appended by the leader and not yet committed; proposals beyond
    /// are refused as overloaded.
    public var maxUncommittedEntries: Int

    /// Settings; the defaults suit servers on one LAN.
    public init(
        electionTimeout: Duration = .milliseconds(1000),
        heartbeatInterval: Duration = .milliseconds(100),
        maxEntriesPerAppend: Int = 512,
        maxBytesPerAppend: Int = 1 << 20,
        maxInflightAppends: Int = 64,
        maxUncommittedEntries: Int = 100_000
    ) {
        self.electionTimeout = electionTimeout
        self.heartbeatInterval = heartbeatInterval
        self.maxEntriesPerAppend = maxEntriesPerAppend
        self.maxBytesPerAppend = maxBytesPerAppend
        self.maxInflightAppends = maxInflightAppends
        self.maxUncommittedEntries = maxUncommittedEntries
    }
}
