public import ErlangTerm

/// How a partitioned cluster decides which side keeps running (the strategies of Akka's split-brain
/// resolver, which Mnesia and `global` leave to the user). Each side decides alone, from its own
/// view; the strategies are such that, given the same membership, at most one side keeps running.
public enum SplitBrainStrategy: Sendable, Equatable {
    /// The side with more than half of the members keeps running; on an even split, the side
    /// with the member whose name sorts first.
    case keepMajority
    /// The side with at least `quorum` members keeps running; with fewer, both go down. Choose
    /// a quorum above half the cluster's size.
    case staticQuorum(Int)
    /// The side with the oldest member keeps running. With `downIfAlone`, an oldest member cut
    /// off alone goes down instead, and the rest keep running.
    case keepOldest(downIfAlone: Bool)
    /// The side that can reach `referee` keeps running, if it has at least `minimum` members.
    case keepReferee(Atom, minimum: Int)
    /// Every side goes down.
    case downAll
}

/// A member as the resolver weighs it.
public struct ResolverMember: Sendable, Hashable {
    /// The node.
    public var name: Atom
    /// When it joined (any clock all members agree on, e.g. its up-number): smaller is older.
    public var joined: Int

    /// A member from its parts.
    public init(name: Atom, joined: Int) {
        self.name = name
        self.joined = joined
    }
}

/// What one side of a partition does.
public enum SplitBrainDecision: Sendable, Equatable {
    /// This side keeps running and downs the members it cannot reach.
    case keep(downing: Set<Atom>)
    /// This side goes down.
    case shutDown
}

extension SplitBrainStrategy {
    /// The decision of the side that can reach `reachable` (this node among them), out of
    /// `members` (the whole cluster as it was before the partition). A pure function.
    public func decide(members: Set<ResolverMember>, reachable: Set<Atom>) -> SplitBrainDecision {
        let names = Set(members.map(\.name))
        let mine = reachable.intersection(names)
        let theirs = names.subtracting(mine)
        guard !theirs.isEmpty else { return .keep(downing: []) }
        let keep: SplitBrainDecision = .keep(downing: theirs)
        switch self {
        case .keepMajority:
            if mine.count * 2 > names.count { return keep }
            if mine.count * 2 < names.count { return .shutDown }
            let first = names.min { $0.name < $1.name }
            return first.map(mine.contains) == true ? keep : .shutDown
        case .staticQuorum(let quorum):
            return mine.count >= quorum ? keep : .shutDown
        case .keepOldest(let downIfAlone):
            guard let oldest = members.min(by: { ($0.joined, $0.name.name) < ($1.joined, $1.name.name) })?.name else {
                return .shutDown
            }
            if mine.contains(oldest) {
                return downIfAlone && mine.count == 1 ? .shutDown : keep
            }
            return downIfAlone && theirs == [oldest] ? keep : .shutDown
        case .keepReferee(let referee, let minimum):
            return mine.contains(referee) && mine.count >= minimum ? keep : .shutDown
        case .downAll:
            return .shutDown
        }
    }
}
