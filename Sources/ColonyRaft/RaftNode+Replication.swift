extension RaftNode {
    // MARK: - Leader: sending

    mutating func broadcastAppends(heartbeat: Bool) {
        for follower in progress.keys.sorted() { sendAppend(to: follower, heartbeat: heartbeat) }
    }

    /// Sends `follower` what it lacks: pipelined batches in `replicate`, one append in `probe`,
    /// the snapshot when its next entry is compacted away. A heartbeat sends even when nothing
    /// is new.
    mutating func sendAppend(to follower: RaftServerID, heartbeat: Bool = false) {
        guard var state = progress[follower] else { return }
        defer { progress[follower] = state }
        if case .snapshot = state.mode { return }
        if state.mode == .probe, state.paused, !heartbeat { return }
        var sent = false
        while state.mode == .probe || state.inflight.count < settings.maxInflightAppends {
            let previous = state.next - 1
            guard let previousTerm = log.term(at: previous) else {
                sendSnapshot(to: follower, state: &state)
                return
            }
            let batch = log.batch(
                from: state.next, maxEntries: settings.maxEntriesPerAppend, maxBytes: settings.maxBytesPerAppend)
            if batch.isEmpty { break }
            sendEntries(batch, after: previous, of: previousTerm, to: follower)
            sent = true
            if state.mode == .probe {
                state.paused = true
                return
            }
            state.next = batch.last!.index + 1
            state.inflight.append(state.next - 1)
        }
        guard heartbeat, !sent else { return }
        // Nothing new (or the window is full): a heartbeat at what is known to match, which the
        // follower accepts even while appends after it are still on their way.
        let previous = state.mode == .probe ? state.next - 1 : state.match
        guard let previousTerm = log.term(at: previous) else {
            sendSnapshot(to: follower, state: &state)
            return
        }
        sendEntries([], after: previous, of: previousTerm, to: follower)
        if state.mode == .probe { state.paused = true }
    }

    mutating func sendEntries(
        _ entries: [LogEntry], after previous: LogIndex, of previousTerm: RaftTerm, to follower: RaftServerID
    ) {
        send(
            .appendEntries(
                AppendEntries(
                    term: hardState.term, previousIndex: previous, previousTerm: previousTerm, entries: entries,
                    commitIndex: commitIndex, round: round)),
            to: follower)
    }

    mutating func sendSnapshot(to follower: RaftServerID, state: inout FollowerProgress) {
        let snapshot = RaftSnapshot(metadata: log.snapshot, data: snapshotData)
        send(.installSnapshot(InstallSnapshot(term: hardState.term, snapshot: snapshot, round: round)), to: follower)
        state.mode = .snapshot(index: log.snapshot.index)
        state.snapshotAge = 0
        state.inflight = []
    }

    /// Every heartbeat: retry what seems lost, and tell every follower the leader is alive.
    mutating func heartbeat() {
        round += 1
        for follower in progress.keys.sorted() {
            guard var state = progress[follower] else { continue }
            switch state.mode {
            case .replicate:
                // Appends in flight and no progress for three intervals: something was lost.
                if state.inflight.isEmpty {
                    state.stalledHeartbeats = 0
                } else {
                    state.stalledHeartbeats += 1
                    if state.stalledHeartbeats >= 3 { state.becomeProbe() }
                }
            case .probe:
                state.paused = false
            case .snapshot:
                // Unanswered for an election timeout: the snapshot (or its answer) was lost.
                state.snapshotAge += 1
                if settings.heartbeatInterval * state.snapshotAge
                    >= settings.electionTimeout
                {
                    state.becomeProbe()
                }
            }
            progress[follower] = state
            sendAppend(to: follower, heartbeat: true)
        }
    }

    /// The leader steps down if it heard from no majority during the last election timeout, so
    /// that the minority side of a partition stops accepting work.
    mutating func checkQuorum() {
        let active = progress.filter(\.value.recentlyActive).map(\.key) + [id]
        for follower in progress.keys { progress[follower]?.recentlyActive = false }
        if !log.configuration.isQuorum(active) {
            becomeFollower(term: hardState.term, leader: nil)
        }
    }

    // MARK: - Leader: answers

    mutating func handleAppendResult(_ result: AppendResult, from follower: RaftServerID) {
        guard role == .leader, var state = progress[follower] else { return }
        state.recentlyActive = true
        state.round = max(state.round, result.round)
        if result.success {
            let moved = state.acknowledge(result.matchIndex)
            switch state.mode {
            case .probe:
                // Only the answer to the probe out (or a later one) shows where the follower is.
                if result.matchIndex >= state.next - 1 { state.becomeReplicate() }
            case .snapshot(let index):
                if state.match >= index { state.becomeReplicate() }
            case .replicate:
                break
            }
            progress[follower] = state
            if moved { maybeCommit() }
            if transferTarget == follower, state.match == log.lastIndex {
                send(.timeoutNow(term: hardState.term), to: follower)
            }
        } else {
            // A stale refusal (of an append older than what has matched since) changes nothing.
            if result.matchIndex < state.match || (state.mode == .probe && result.matchIndex != state.next - 1) {
                progress[follower] = state
                releaseReads()
                return
            }
            state.becomeProbe()
            state.next = max(state.match + 1, min(result.hintIndex, result.matchIndex))
            progress[follower] = state
        }
        releaseReads()
        sendAppend(to: follower)
    }

    /// Commits the highest index stored on a majority, if it is of the leader's term.
    mutating func maybeCommit() {
        let configuration = log.configuration
        var matches: [LogIndex] = configuration.voters.map { voter in
            voter == id ? log.stableIndex : progress[voter]?.match ?? 0
        }
        guard !matches.isEmpty else { return }
        matches.sort(by: >)
        let candidate = matches[configuration.quorum - 1]
        guard candidate > commitIndex, log.term(at: candidate) == hardState.term else { return }
        commitIndex = candidate
        startReadsAwaitingCommit()
        if log.configurationIndex <= commitIndex, !configuration.voters.contains(id) {
            // This leader removed itself, and the change is committed: the followers hear the
            // commit, and the most caught-up voter is told to stand at once rather than wait out
            // its election timeout (its vote request overrides the others' leader stickiness).
            broadcastAppends(heartbeat: true)
            let successor = configuration.voters.filter { progress[$0] != nil }.sorted {
                (progress[$0]!.match, $1) > (progress[$1]!.match, $0)
            }.first
            if let successor {
                send(.timeoutNow(term: hardState.term), to: successor)
            }
            becomeFollower(term: hardState.term, leader: nil)
        }
    }

    // MARK: - Follower

    mutating func handleAppend(_ append: AppendEntries, from sender: RaftServerID) {
        if role != .follower || leader != sender {
            becomeFollower(term: hardState.term, leader: sender)
        }
        lastLeaderContact = now
        resetElectionTimer()
        var previous = append.previousIndex
        var previousTerm = append.previousTerm
        var entries = append.entries[...]
        if previous < log.snapshot.index {
            // What this server compacted is committed, so it matches; skip it.
            entries = entries.drop { $0.index <= log.snapshot.index }
            previous = log.snapshot.index
            previousTerm = log.snapshot.term
        }
        guard let term = log.term(at: previous), term == previousTerm else {
            let hint = previous > log.lastIndex ? log.lastIndex + 1 : log.firstIndex(ofTermAt: previous)
            send(
                .appendResult(
                    AppendResult(
                        term: hardState.term, success: false, matchIndex: append.previousIndex, hintIndex: hint,
                        round: append.round)),
                to: sender)
            return
        }
        for entry in entries {
            if let existing = log.term(at: entry.index) {
                if existing == entry.term { continue }
                precondition(entry.index > commitIndex, "a leader asked to overwrite a committed entry")
                log.truncate(from: entry.index)
            }
            log.append(entry)
        }
        let lastNew = previous + LogIndex(entries.count)
        commitIndex = max(commitIndex, min(append.commitIndex, lastNew))
        send(
            .appendResult(
                AppendResult(
                    term: hardState.term, success: true, matchIndex: lastNew, hintIndex: 0, round: append.round)
            ),
            to: sender)
    }

    mutating func handleSnapshot(_ install: InstallSnapshot, from sender: RaftServerID) {
        if role != .follower || leader != sender {
            becomeFollower(term: hardState.term, leader: sender)
        }
        lastLeaderContact = now
        resetElectionTimer()
        let metadata = install.snapshot.metadata
        if metadata.index > commitIndex {
            if log.term(at: metadata.index) == metadata.term {
                log.compact(to: metadata)
            } else {
                log.reset(to: metadata)
            }
            commitIndex = metadata.index
            snapshotData = install.snapshot.data
            receivedSnapshot = install.snapshot
        }
        send(
            .appendResult(
                AppendResult(
                    term: hardState.term, success: true, matchIndex: max(commitIndex, metadata.index), hintIndex: 0,
                    round: install.round)),
            to: sender)
    }
}
