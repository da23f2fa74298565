/// One server of a Raft group as a pure state machine: no I/O, no clock, no threads.
///
/// The shell feeds it time (``tick(now:)``), messages (``receive(_:from:now:)``) and requests
/// (``propose(_:now:)``, ``read(_:now:)``, ``changeConfiguration(_:now:)``,
/// ``transferLeadership(to:now:)``), then takes a ``RaftReady`` with what to store, send and
/// apply, does it, and calls ``advance(_:)``. Time and randomness are injected, so a simulated
/// network runs many servers deterministically.
///
/// Built as in Ongaro's thesis: elections with pre-vote and leader stickiness, a leader that steps
/// down when it cannot hear a majority (check quorum), pipelined and batched replication,
/// snapshots, membership changes one server at a time, leadership transfer, and linearizable
/// reads confirmed by a heartbeat round (read index).
public struct RaftNode: Sendable {
    /// This server.
    public let id: RaftServerID
    let settings: RaftSettings

    var hardState: HardState
    var hardStateChanged = false
    /// This server's role.
    public internal(set) var role: RaftRole = .follower
    /// The leader of the current term, if known.
    public internal(set) var leader: RaftServerID?
    var log: RaftLog
    /// The highest index known to be committed.
    public internal(set) var commitIndex: LogIndex
    /// The highest index handed to the state machine.
    public internal(set) var appliedIndex: LogIndex
    /// The data of the latest snapshot, to send to followers that need it.
    var snapshotData: [UInt8]
    /// A snapshot received from the leader, not yet handed out.
    var receivedSnapshot: RaftSnapshot?

    var now: Duration
    var electionDeadline: Duration = .zero
    var lastLeaderContact: Duration?
    var votes: [RaftServerID: Bool] = [:]

    var progress: [RaftServerID: FollowerProgress] = [:]
    var nextHeartbeat: Duration = .zero
    var quorumCheckDeadline: Duration = .zero
    var round: UInt64 = 0
    var roundRequested = false
    var pendingReads: [(id: UInt64, index: LogIndex, round: UInt64)] = []
    var readsAwaitingCommit: [UInt64] = []
    var transferTarget: RaftServerID?
    var transferDeadline: Duration = .zero

    var messages: [RaftEnvelope] = []
    var readResults: [RaftReadResult] = []
    var events: [RaftEvent] = []
    var random: UInt64

    /// A server restored from what it stored: its hard state, its latest snapshot (if any) and the
    /// log entries after it. A server of a new group starts with nothing stored and the group's
    /// first membership as `bootstrap`; a server added later starts with an empty `bootstrap`
    /// and learns the group from the leader.
    public init(
        id: RaftServerID, bootstrap: RaftConfiguration, hardState: HardState = HardState(),
        snapshot: RaftSnapshot? = nil, entries: [LogEntry] = [], settings: RaftSettings = RaftSettings(),
        seed: UInt64, now: Duration
    ) {
        self.id = id
        self.settings = settings
        self.hardState = hardState
        let metadata = snapshot?.metadata ?? SnapshotMetadata(index: 0, term: 0, configuration: bootstrap)
        log = RaftLog(snapshot: metadata, entries: entries.filter { $0.index > metadata.index })
        commitIndex = metadata.index
        appliedIndex = metadata.index
        snapshotData = snapshot?.data ?? []
        self.now = now
        random = seed
        resetElectionTimer()
    }

    // MARK: - Reads of the state

    /// The current term.
    public var term: RaftTerm { hardState.term }

    /// The membership in force on this server.
    public var configuration: RaftConfiguration { log.configuration }

    /// The index of the last entry in this server's log.
    public var lastIndex: LogIndex { log.lastIndex }

    /// The index of the last entry on stable storage.
    public var stableIndex: LogIndex { log.stableIndex }

    /// The index the latest snapshot covers.
    public var snapshotIndex: LogIndex { log.snapshot.index }

    /// The leader's view of each follower's matching index (empty unless leader).
    public var matchIndexes: [RaftServerID: LogIndex] { progress.mapValues(\.match) }

    /// The entries from `from` through `through`, all of which must still be in this server's log
    /// (not compacted).
    public func entries(from: LogIndex, through: LogIndex) -> [LogEntry] {
        Array(log.entries(from: max(from, log.firstIndex), through: min(through, log.lastIndex)))
    }

    // MARK: - Output

    /// Whether a ``ready()`` would hand out anything.
    public var hasReady: Bool {
        hardStateChanged || receivedSnapshot != nil || log.truncatedFrom != nil
            || log.stableIndex < log.lastIndex || !messages.isEmpty || min(commitIndex, log.stableIndex) > appliedIndex
            || !readResults.isEmpty || !events.isEmpty || roundRequested
    }

    /// Takes what the shell must store, send and apply; see ``RaftReady``.
    public mutating func ready() -> RaftReady {
        if roundRequested {
            roundRequested = false
            round += 1
            broadcastAppends(heartbeat: true)
            releaseReads()
        }
        var committed: [LogEntry] = []
        if let snapshot = receivedSnapshot {
            appliedIndex = max(appliedIndex, snapshot.metadata.index)
        }
        let applyThrough = min(commitIndex, log.stableIndex)
        if applyThrough > appliedIndex {
            committed = Array(log.entries(from: appliedIndex + 1, through: applyThrough))
            appliedIndex = applyThrough
        }
        let ready = RaftReady(
            hardState: hardStateChanged ? hardState : nil, snapshot: receivedSnapshot,
            truncateFrom: log.truncatedFrom, entries: Array(log.unstableEntries), messages: messages,
            committed: committed, reads: readResults, events: events, stableThrough: log.lastIndex)
        hardStateChanged = false
        receivedSnapshot = nil
        messages = []
        readResults = []
        events = []
        return ready
    }

    /// `ready` is stored: the node may now count it (a leader counts its own stored entries
    /// toward a commit).
    public mutating func advance(_ ready: RaftReady) {
        log.markStable(through: ready.stableThrough)
        if role == .leader { maybeCommit() }
    }

    // MARK: - Time

    /// Time passed: elections, heartbeats, the quorum check and transfer timeouts happen here.
    public mutating func tick(now: Duration) {
        self.now = max(self.now, now)
        if role == .leader {
            if self.now >= nextHeartbeat {
                nextHeartbeat = self.now + settings.heartbeatInterval
                heartbeat()
            }
            if self.now >= quorumCheckDeadline {
                quorumCheckDeadline = self.now + settings.electionTimeout
                checkQuorum()
            }
            if transferTarget != nil, self.now >= transferDeadline { transferTarget = nil }
        } else if self.now >= electionDeadline {
            if log.configuration.voters.contains(id) {
                campaign(preVote: true, transfer: false)
            } else {
                resetElectionTimer()
            }
        }
    }

    // MARK: - Requests

    /// Proposes `command` for the log. Only the leader accepts.
    public mutating func propose(_ command: [UInt8], now: Duration) -> ProposeResult {
        self.now = max(self.now, now)
        if let rejection = proposalRejection() { return .rejected(rejection) }
        return .accepted(index: appendAsLeader(.command(command)), term: hardState.term)
    }

    /// Proposes one change of membership. Only the leader accepts, and only when the previous
    /// change has committed.
    public mutating func changeConfiguration(_ change: RaftConfigurationChange, now: Duration) -> ProposeResult {
        self.now = max(self.now, now)
        if let rejection = proposalRejection() { return .rejected(rejection) }
        // The previous change must have committed, and so must an entry of this leader's term:
        // until then another server may still be elected under an older configuration.
        guard log.configurationIndex <= commitIndex, log.term(at: commitIndex) == hardState.term else {
            return .rejected(.configurationChangePending)
        }
        guard let next = log.configuration.applying(change) else { return .rejected(.unchanged) }
        guard !next.voters.isEmpty else { return .rejected(.noVotersLeft) }
        if case .addVoter(let server) = change {
            // Only a learner that has caught up becomes a voter, so the new majority can commit.
            guard log.configuration.learners.contains(server), let match = progress[server]?.match,
                match >= commitIndex
            else { return .rejected(.notCaughtUp) }
        }
        let index = appendAsLeader(.configuration(next))
        releaseReads()
        return .accepted(index: index, term: hardState.term)
    }

    /// Asks the leader to hand over to `target`, a voter: it stops taking proposals, brings
    /// `target` up to date and tells it to stand for election at once. Returns false if this
    /// server is not the leader or `target` is not another voter.
    @discardableResult
    public mutating func transferLeadership(to target: RaftServerID, now: Duration) -> Bool {
        self.now = max(self.now, now)
        guard role == .leader, target != id, log.configuration.voters.contains(target),
            progress[target] != nil
        else { return false }
        transferTarget = target
        transferDeadline = self.now + settings.electionTimeout
        if progress[target]?.match == log.lastIndex {
            send(.timeoutNow(term: hardState.term), to: target)
        } else {
            sendAppend(to: target)
        }
        return true
    }

    /// The state machine has a snapshot through `index` (applied already), with `data`: drop the
    /// log before it. Returns the snapshot, which the shell stores (deleting the entries through
    /// `index` itself), or `nil` if `index` is not past the last snapshot or not applied yet.
    @discardableResult
    public mutating func compact(through index: LogIndex, data: [UInt8]) -> RaftSnapshot? {
        guard index > log.snapshot.index, index <= appliedIndex, let term = log.term(at: index) else { return nil }
        let metadata = SnapshotMetadata(
            index: index, term: term, configuration: log.configuration(atOrBefore: index))
        log.compact(to: metadata)
        snapshotData = data
        return RaftSnapshot(metadata: metadata, data: data)
    }

    /// The transport lost its connection to `server`: stop pipelining to it.
    public mutating func unreachable(_ server: RaftServerID) {
        guard role == .leader, progress[server]?.mode == .replicate else { return }
        progress[server]?.becomeProbe()
    }

    // MARK: - Shared helpers

    func proposalRejection() -> ProposeRejection? {
        guard role == .leader else { return .notLeader(leader: leader) }
        guard transferTarget == nil else { return .transferring }
        guard log.lastIndex - commitIndex < LogIndex(settings.maxUncommittedEntries) else { return .overloaded }
        return nil
    }

    mutating func appendAsLeader(_ payload: LogEntry.Payload) -> LogIndex {
        let index = log.lastIndex + 1
        log.append(LogEntry(term: hardState.term, index: index, payload: payload))
        if case .configuration(let configuration) = payload { adoptMembers(configuration) }
        broadcastAppends(heartbeat: false)
        return index
    }

    mutating func send(_ message: RaftMessage, to server: RaftServerID) {
        messages.append(RaftEnvelope(to: server, message: message))
    }

    mutating func resetElectionTimer() {
        let spread = UInt64(
            max(
                1,
                settings.electionTimeout.components.seconds * 1_000_000_000
                    + settings.electionTimeout.components.attoseconds / 1_000_000_000))
        electionDeadline = now + settings.electionTimeout + .nanoseconds(Int64(nextRandom() % spread))
    }

    mutating func nextRandom() -> UInt64 {
        random &+= 0x9E37_79B9_7F4A_7C15
        var z = random
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
