extension RaftNode {
    /// Asks for a linearizable read, answered in a later ``RaftReady/reads`` with the index the
    /// state machine must have applied before reading. Only the leader serves it: it takes its
    /// commit index, then confirms with a heartbeat round that a majority still follows it.
    public mutating func read(_ id: UInt64, now: Duration) {
        self.now = max(self.now, now)
        guard role == .leader, transferTarget == nil else {
            readResults.append(.failed(id: id, leader: leader))
            return
        }
        if log.term(at: commitIndex) == hardState.term {
            startRead(id)
        } else {
            // A new leader knows what is committed only once an entry of its own term commits.
            readsAwaitingCommit.append(id)
        }
    }

    mutating func startRead(_ id: UInt64) {
        if log.configuration.isQuorum([self.id]) {
            readResults.append(.ready(id: id, index: commitIndex))
            return
        }
        // Confirmed only by acknowledgements of a round sent after this read: the next one,
        // which ``ready()`` (or the next heartbeat) sends.
        roundRequested = true
        pendingReads.append((id, commitIndex, round + 1))
    }

    mutating func startReadsAwaitingCommit() {
        guard !readsAwaitingCommit.isEmpty, log.term(at: commitIndex) == hardState.term else { return }
        let waiting = readsAwaitingCommit
        readsAwaitingCommit = []
        for read in waiting { startRead(read) }
    }

    /// Answers the reads whose heartbeat round a majority has acknowledged.
    mutating func releaseReads() {
        guard !pendingReads.isEmpty, role == .leader, !log.configuration.voters.isEmpty else { return }
        let configuration = log.configuration
        var rounds: [UInt64] = configuration.voters.map { voter in
            voter == id ? round : progress[voter]?.round ?? 0
        }
        rounds.sort(by: >)
        let confirmed = rounds[configuration.quorum - 1]
        while let first = pendingReads.first, first.round <= confirmed {
            pendingReads.removeFirst()
            readResults.append(.ready(id: first.id, index: first.index))
        }
    }

    /// Leadership is lost: every read waiting on it fails.
    mutating func failReads() {
        for read in pendingReads { readResults.append(.failed(id: read.id, leader: leader)) }
        for read in readsAwaitingCommit { readResults.append(.failed(id: read, leader: leader)) }
        pendingReads = []
        readsAwaitingCommit = []
    }
}
