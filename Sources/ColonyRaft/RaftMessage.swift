/// A message between two servers of a Raft group. The transport says who sent it.
public enum RaftMessage: Hashable, Sendable {
    /// A candidate (or pre-candidate) asks for a vote.
    case requestVote(VoteRequest)
    /// The answer to a ``VoteRequest``.
    case vote(VoteResponse)
    /// The leader replicates entries (none, as a heartbeat).
    case appendEntries(AppendEntries)
    /// The answer to ``AppendEntries`` or ``InstallSnapshot``.
    case appendResult(AppendResult)
    /// The leader sends its snapshot to a follower whose next entry it has compacted away.
    case installSnapshot(InstallSnapshot)
    /// The leader hands over: the receiver starts an election at once (leadership transfer).
    case timeoutNow(term: RaftTerm)

    /// The sender's term.
    public var term: RaftTerm {
        switch self {
        case .requestVote(let message): message.term
        case .vote(let message): message.term
        case .appendEntries(let message): message.term
        case .appendResult(let message): message.term
        case .installSnapshot(let message): message.term
        case .timeoutNow(let term): term
        }
    }
}

/// A request for a vote.
public struct VoteRequest: Hashable, Sendable {
    /// The term the candidate stands in (for a pre-vote, the term it would stand in).
    public var term: RaftTerm
    /// The index of the candidate's last log entry.
    public var lastIndex: LogIndex
    /// The term of the candidate's last log entry.
    public var lastTerm: RaftTerm
    /// Whether this is a pre-vote, which changes no one's term or vote.
    public var preVote: Bool
    /// Whether the leader asked for this election (a transfer), which overrides leader stickiness.
    public var transfer: Bool

    /// A vote request.
    public init(term: RaftTerm, lastIndex: LogIndex, lastTerm: RaftTerm, preVote: Bool, transfer: Bool) {
        self.term = term
        self.lastIndex = lastIndex
        self.lastTerm = lastTerm
        self.preVote = preVote
        self.transfer = transfer
    }
}

/// The answer to a vote request.
public struct VoteResponse: Hashable, Sendable {
    /// The voter's term, or for a granted pre-vote the term asked about.
    public var term: RaftTerm
    /// Whether the vote was granted.
    public var granted: Bool
    /// Whether it answers a pre-vote.
    public var preVote: Bool

    /// A vote response.
    public init(term: RaftTerm, granted: Bool, preVote: Bool) {
        self.term = term
        self.granted = granted
        self.preVote = preVote
    }
}

/// Entries from the leader, to follow the entry at `previousIndex` of `previousTerm`.
public struct AppendEntries: Hashable, Sendable {
    /// The leader's term.
    public var term: RaftTerm
    /// The index of the entry just before `entries`.
    public var previousIndex: LogIndex
    /// The term of the entry at `previousIndex`.
    public var previousTerm: RaftTerm
    /// The entries to append; none for a heartbeat.
    public var entries: [LogEntry]
    /// The leader's commit index.
    public var commitIndex: LogIndex
    /// The leader's heartbeat round, echoed back to confirm linearizable reads.
    public var round: UInt64

    /// An append request.
    public init(
        term: RaftTerm, previousIndex: LogIndex, previousTerm: RaftTerm, entries: [LogEntry], commitIndex: LogIndex,
        round: UInt64
    ) {
        self.term = term
        self.previousIndex = previousIndex
        self.previousTerm = previousTerm
        self.entries = entries
        self.commitIndex = commitIndex
        self.round = round
    }
}

/// A follower's answer to an append or a snapshot.
public struct AppendResult: Hashable, Sendable {
    /// The follower's term.
    public var term: RaftTerm
    /// Whether the follower's log now matches the leader's through `matchIndex`.
    public var success: Bool
    /// On success, the last index known to match the leader's log; on refusal, the
    /// `previousIndex` that did not match.
    public var matchIndex: LogIndex
    /// On refusal, where the leader should try next (the follower's hint: its last index + 1, or
    /// the first index of the conflicting term).
    public var hintIndex: LogIndex
    /// The leader's heartbeat round the request carried.
    public var round: UInt64

    /// An append result.
    public init(term: RaftTerm, success: Bool, matchIndex: LogIndex, hintIndex: LogIndex, round: UInt64) {
        self.term = term
        self.success = success
        self.matchIndex = matchIndex
        self.hintIndex = hintIndex
        self.round = round
    }
}

/// The leader's snapshot, sent whole.
public struct InstallSnapshot: Hashable, Sendable {
    /// The leader's term.
    public var term: RaftTerm
    /// The snapshot.
    public var snapshot: RaftSnapshot
    /// The leader's heartbeat round.
    public var round: UInt64

    /// A snapshot transfer.
    public init(term: RaftTerm, snapshot: RaftSnapshot, round: UInt64) {
        self.term = term
        self.snapshot = snapshot
        self.round = round
    }
}

/// A message with its destination, as ``RaftReady`` hands them to the transport.
public struct RaftEnvelope: Hashable, Sendable {
    /// Where to send it.
    public var to: RaftServerID
    /// What to send.
    public var message: RaftMessage

    /// A message for `to`.
    public init(to: RaftServerID, message: RaftMessage) {
        self.to = to
        self.message = message
    }
}
