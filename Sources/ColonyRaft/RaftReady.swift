/// What a server must do after a step, in this order: store ``hardState``, ``snapshot`` and the
/// log changes (one `fdatasync` for all of them), then send ``messages``, then restore
/// ``snapshot`` into the state machine and apply ``committed``, then answer ``reads``.
///
/// Storing before sending is what makes a vote or an acknowledgement binding after a crash. Call
/// ``RaftNode/advance(_:)`` once it is stored, before feeding the node anything else.
public struct RaftReady: Sendable {
    /// The term and vote to store, if they changed.
    public var hardState: HardState?
    /// A snapshot received from the leader: store it, then restore the state machine from it.
    public var snapshot: RaftSnapshot?
    /// Delete stored entries from this index on (before storing ``entries``).
    public var truncateFrom: LogIndex?
    /// Entries to append to the stored log.
    public var entries: [LogEntry]
    /// Messages to send once the above is stored.
    public var messages: [RaftEnvelope]
    /// Committed entries to apply to the state machine, in order.
    public var committed: [LogEntry]
    /// Answers to linearizable read requests.
    public var reads: [RaftReadResult]
    /// Changes of role and leader, for observers.
    public var events: [RaftEvent]
    /// The last index stored once this is done.
    let stableThrough: LogIndex

    init(
        hardState: HardState?, snapshot: RaftSnapshot?, truncateFrom: LogIndex?, entries: [LogEntry],
        messages: [RaftEnvelope], committed: [LogEntry], reads: [RaftReadResult], events: [RaftEvent],
        stableThrough: LogIndex
    ) {
        self.hardState = hardState
        self.snapshot = snapshot
        self.truncateFrom = truncateFrom
        self.entries = entries
        self.messages = messages
        self.committed = committed
        self.reads = reads
        self.events = events
        self.stableThrough = stableThrough
    }

    /// Whether anything must be written to stable storage.
    public var needsStorage: Bool {
        hardState != nil || snapshot != nil || truncateFrom != nil || !entries.isEmpty
    }
}

/// The answer to a linearizable read request (``RaftNode/read(_:now:)``).
public enum RaftReadResult: Hashable, Sendable {
    /// Leadership is confirmed: once the state machine has applied `index`, reading it locally is
    /// linearizable.
    case ready(id: UInt64, index: LogIndex)
    /// This server cannot serve it (not the leader, or it lost leadership); `leader` is where to
    /// ask, if known.
    case failed(id: UInt64, leader: RaftServerID?)
}

/// A change an observer may want to know about.
public enum RaftEvent: Hashable, Sendable {
    /// The server's role changed, in `term`.
    case roleChanged(RaftRole, term: RaftTerm)
    /// The server learned a new leader, or lost it.
    case leaderChanged(RaftServerID?, term: RaftTerm)
}

/// The answer to a proposal.
public enum ProposeResult: Hashable, Sendable {
    /// Appended at `index` in `term`: it is committed if and when the entry applied at `index` has
    /// this term.
    case accepted(index: LogIndex, term: RaftTerm)
    /// Not appended.
    case rejected(ProposeRejection)
}

/// Why a proposal was not appended.
public enum ProposeRejection: Hashable, Sendable {
    /// This server is not the leader; `leader` is where to propose, if known.
    case notLeader(leader: RaftServerID?)
    /// The leader is handing over to another server.
    case transferring
    /// Too many entries are waiting to commit.
    case overloaded
    /// A membership change is still uncommitted; one at a time.
    case configurationChangePending
    /// The membership change changes nothing.
    case unchanged
    /// The membership change would leave no voter.
    case noVotersLeft
    /// Only a learner whose log has caught up with the commit index can become a voter.
    case notCaughtUp
}
