/// A Raft term: a number that only grows, naming one election and the leadership it produced.
public typealias RaftTerm = UInt64

/// The position of an entry in the replicated log; the first entry is at 1, and 0 means "none".
public typealias LogIndex = UInt64

/// The identity of one server of a Raft group (Colony uses the node's name).
public struct RaftServerID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The server's name.
    public let name: String

    /// The server named `name`.
    public init(_ name: String) { self.name = name }

    /// The server named by a literal.
    public init(stringLiteral name: String) { self.name = name }

    public var description: String { name }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.name < rhs.name }
}

/// What a server must keep on stable storage before it answers anyone: its term and its vote.
public struct HardState: Hashable, Sendable, Codable {
    /// The latest term the server has seen.
    public var term: RaftTerm
    /// Whom the server voted for in `term`, if anyone.
    public var votedFor: RaftServerID?

    /// A hard state of `term` with `votedFor`.
    public init(term: RaftTerm = 0, votedFor: RaftServerID? = nil) {
        self.term = term
        self.votedFor = votedFor
    }
}

/// A server's part in the group at the moment.
public enum RaftRole: String, Hashable, Sendable, Codable {
    /// Follows a leader, or waits for one.
    case follower
    /// Asks whether it could win an election, without raising its term (pre-vote).
    case preCandidate
    /// Stands for election in a new term.
    case candidate
    /// Replicates the log and commits entries.
    case leader
}
