extension RaftNode {
    /// A message from `sender` arrived.
    public mutating func receive(_ message: RaftMessage, from sender: RaftServerID, now: Duration) {
        self.now = max(self.now, now)
        guard sender != id else { return }
        if message.term > hardState.term {
            switch message {
            case .requestVote(let request):
                // A pre-vote changes nobody's term; a vote while a leader is alive is ignored
                // (leader stickiness), so a server cut off for a while cannot depose it.
                if request.preVote { break }
                if inLease, !request.transfer { return }
                becomeFollower(term: message.term, leader: nil)
            case .vote(let response) where response.preVote && response.granted:
                break
            case .appendEntries, .installSnapshot, .timeoutNow:
                becomeFollower(term: message.term, leader: sender)
            default:
                becomeFollower(term: message.term, leader: nil)
            }
        } else if message.term < hardState.term {
            switch message {
            case .appendEntries, .installSnapshot:
                // A deposed leader learns the new term from the answer.
                send(
                    .appendResult(
                        AppendResult(
                            term: hardState.term, success: false, matchIndex: 0, hintIndex: 0, round: 0)),
                    to: sender)
            case .requestVote(let request) where request.preVote:
                send(.vote(VoteResponse(term: hardState.term, granted: false, preVote: true)), to: sender)
            default:
                break
            }
            return
        }
        switch message {
        case .requestVote(let request): handleVoteRequest(request, from: sender)
        case .vote(let response): handleVote(response, from: sender)
        case .appendEntries(let append): handleAppend(append, from: sender)
        case .appendResult(let result): handleAppendResult(result, from: sender)
        case .installSnapshot(let install): handleSnapshot(install, from: sender)
        case .timeoutNow:
            if role != .leader, log.configuration.voters.contains(id) { campaign(preVote: false, transfer: true) }
        }
    }

    /// Whether a leader is known to be alive: this server leads, or heard from one within the
    /// election timeout.
    var inLease: Bool {
        if role == .leader { return true }
        guard leader != nil, let contact = lastLeaderContact else { return false }
        return now < contact + settings.electionTimeout
    }

    mutating func campaign(preVote: Bool, transfer: Bool) {
        resetElectionTimer()
        if preVote {
            setRole(.preCandidate)
        } else {
            hardState.term += 1
            hardState.votedFor = id
            hardStateChanged = true
            setRole(.candidate)
        }
        setLeader(nil)
        votes = [id: true]
        if log.configuration.isQuorum([id]) {
            if preVote { campaign(preVote: false, transfer: transfer) } else { becomeLeader() }
            return
        }
        let request = VoteRequest(
            term: preVote ? hardState.term + 1 : hardState.term, lastIndex: log.lastIndex, lastTerm: log.lastTerm,
            preVote: preVote, transfer: transfer)
        for voter in log.configuration.voters.sorted() where voter != id {
            send(.requestVote(request), to: voter)
        }
    }

    mutating func handleVoteRequest(_ request: VoteRequest, from sender: RaftServerID) {
        let upToDate = log.isUpToDate(lastIndex: request.lastIndex, lastTerm: request.lastTerm)
        if request.preVote {
            let granted = request.term > hardState.term && upToDate && (!inLease || request.transfer)
            send(
                .vote(VoteResponse(term: granted ? request.term : hardState.term, granted: granted, preVote: true)),
                to: sender)
            return
        }
        let free = hardState.votedFor == nil || hardState.votedFor == sender
        let granted = free && upToDate && role != .leader
        if granted {
            hardState.votedFor = sender
            hardStateChanged = true
            resetElectionTimer()
        }
        send(.vote(VoteResponse(term: hardState.term, granted: granted, preVote: false)), to: sender)
    }

    mutating func handleVote(_ response: VoteResponse, from sender: RaftServerID) {
        if response.preVote {
            guard role == .preCandidate, !response.granted || response.term == hardState.term + 1 else { return }
        } else {
            guard role == .candidate, response.term == hardState.term else { return }
        }
        guard log.configuration.voters.contains(sender) else { return }
        votes[sender] = response.granted
        let granted = votes.filter(\.value).map(\.key)
        let refused = votes.filter { !$0.value }.map(\.key)
        if log.configuration.isQuorum(granted) {
            if response.preVote { campaign(preVote: false, transfer: false) } else { becomeLeader() }
        } else if log.configuration.isQuorum(refused) {
            becomeFollower(term: hardState.term, leader: nil)
        }
    }

    mutating func becomeFollower(term: RaftTerm, leader newLeader: RaftServerID?) {
        if term > hardState.term {
            hardState.term = term
            hardState.votedFor = nil
            hardStateChanged = true
        }
        let wasLeader = role == .leader
        setRole(.follower)
        setLeader(newLeader)
        if newLeader != nil { lastLeaderContact = now }
        resetElectionTimer()
        votes = [:]
        if wasLeader {
            progress = [:]
            transferTarget = nil
            failReads()
        }
    }

    mutating func becomeLeader() {
        setRole(.leader)
        setLeader(id)
        votes = [:]
        progress = [:]
        adoptMembers(log.configuration)
        nextHeartbeat = now + settings.heartbeatInterval
        quorumCheckDeadline = now + settings.electionTimeout
        // The new leader commits an entry of its own term, which commits everything before it.
        _ = appendAsLeader(.noop)
    }

    /// Keeps progress for exactly the other members of `configuration`.
    mutating func adoptMembers(_ configuration: RaftConfiguration) {
        guard role == .leader else { return }
        for member in configuration.members where member != id && progress[member] == nil {
            progress[member] = FollowerProgress(next: log.lastIndex + 1)
        }
        for member in progress.keys where !configuration.members.contains(member) {
            progress[member] = nil
        }
    }

    mutating func setRole(_ newRole: RaftRole) {
        guard newRole != role else { return }
        role = newRole
        events.append(.roleChanged(newRole, term: hardState.term))
    }

    mutating func setLeader(_ newLeader: RaftServerID?) {
        guard newLeader != leader else { return }
        leader = newLeader
        events.append(.leaderChanged(newLeader, term: hardState.term))
    }
}
