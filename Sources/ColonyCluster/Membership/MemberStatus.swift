public import ErlangTerm

/// Where a member stands, as one node sees it.
public enum MemberStatus: String, Sendable, CaseIterable, Codable {
    /// Connected and answering probes.
    case up
    /// Missed a probe (directly and through the members asked to help); it has until the
    /// suspicion timeout to answer.
    case suspect
    /// Did not answer within the suspicion timeout, or its connection is lost: cut off or dead,
    /// nobody can tell which.
    case unreachable
    /// Taken out of the cluster by the split-brain resolver.
    case down
    /// Said it is leaving (a graceful shutdown).
    case leaving
}

/// A member of the cluster, as one node sees it.
public struct Member: Sendable, Equatable, Hashable {
    /// The node.
    public var name: Atom
    /// Its status.
    public var status: MemberStatus
    /// When it started, in milliseconds since 1970 by its own clock, as it said when it joined
    /// (a Colony node); `Int.max` for a node that did not say (an Erlang or Elixir node). The
    /// smallest is the oldest member.
    public var started: Int
    /// Whether it is a Colony node (it helps with indirect probes and says when it leaves).
    public var isColony: Bool
    /// Whether a distribution connection to it is open.
    public var isConnected: Bool
    /// When its status last changed (the state machine's clock).
    public var since: Duration

    /// A member from its parts.
    public init(
        name: Atom, status: MemberStatus, started: Int = .max, isColony: Bool = false, isConnected: Bool = true,
        since: Duration = .zero
    ) {
        self.name = name
        self.status = status
        self.started = started
        self.isColony = isColony
        self.isConnected = isConnected
        self.since = since
    }
}

/// A change in the membership view.
public struct MembershipChange: Sendable, Equatable {
    /// The member.
    public var name: Atom
    /// Its status before (`nil`: it was not a member).
    public var from: MemberStatus?
    /// Its status now (`nil`: it is no longer a member).
    public var to: MemberStatus?

    /// A change from its parts.
    public init(name: Atom, from: MemberStatus?, to: MemberStatus?) {
        self.name = name
        self.from = from
        self.to = to
    }
}
