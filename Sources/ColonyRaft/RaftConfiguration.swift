/// The members of a Raft group: voters decide elections and commits, learners only receive the log.
///
/// A configuration takes effect on a server as soon as its entry is in the server's log (not when
/// it commits), and the leader changes one server at a time, so any two successive configurations'
/// majorities overlap.
public struct RaftConfiguration: Hashable, Sendable, Codable {
    /// The servers that vote.
    public var voters: Set<RaftServerID>
    /// The servers that receive the log without voting (a new server catching up, for example).
    public var learners: Set<RaftServerID>

    /// A configuration of `voters` and `learners`.
    public init(voters: Set<RaftServerID> = [], learners: Set<RaftServerID> = []) {
        self.voters = voters
        self.learners = learners.subtracting(voters)
    }

    /// Every server, voting or not.
    public var members: Set<RaftServerID> { voters.union(learners) }

    /// How many voters make a majority.
    public var quorum: Int { voters.count / 2 + 1 }

    /// Whether the voters in `servers` are a majority.
    public func isQuorum(_ servers: some Sequence<RaftServerID>) -> Bool {
        var count = 0
        for server in servers where voters.contains(server) { count += 1 }
        return count >= quorum
    }

    /// This configuration after `change`, or `nil` if the change changes nothing.
    public func applying(_ change: RaftConfigurationChange) -> RaftConfiguration? {
        var next = self
        switch change {
        case .addLearner(let server):
            guard !members.contains(server) else { return nil }
            next.learners.insert(server)
        case .addVoter(let server):
            guard !voters.contains(server) else { return nil }
            next.learners.remove(server)
            next.voters.insert(server)
        case .remove(let server):
            guard members.contains(server) else { return nil }
            next.voters.remove(server)
            next.learners.remove(server)
        }
        return next
    }
}

/// One change of membership: Colony changes a group one server at a time.
public enum RaftConfigurationChange: Hashable, Sendable, Codable {
    /// Add a server that receives the log but does not vote.
    case addLearner(RaftServerID)
    /// Add a voter, or promote a learner to voter.
    case addVoter(RaftServerID)
    /// Remove a server, voter or learner.
    case remove(RaftServerID)
}
