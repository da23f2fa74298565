public import ErlangTerm

/// Partition events from node events, as a pure state machine with injected time (the seed's
/// `PartitionHandler`, with what it leaves as comments): a member that goes down while others
/// stay starts a partition; the partition heals when every member it cut off is back, and the
/// healed event carries how long it lasted. A node taken out on purpose (`disconnect`) does not
/// count.
public struct PartitionTracker: Sendable {
    /// What the tracker reports.
    public enum Event: Sendable, Equatable {
        /// A member came up (joined, or came back).
        case nodeUp(Atom)
        /// A member went down, for `reason`.
        case nodeDown(Atom, reason: String)
        /// Members became unreachable: the cluster is split (or they died; nobody can tell).
        case partitionStarted(unreachable: Set<Atom>)
        /// Every member cut off is back; the partition lasted `duration`.
        case partitionHealed(duration: Duration)
    }

    private var up: Set<Atom> = []
    private var cutOff: Set<Atom> = []
    private var partitionStart: Duration?

    /// A tracker with no members yet.
    public init() {}

    /// The members cut off by the current partition.
    public var unreachable: Set<Atom> { cutOff }

    /// Whether a partition is under way.
    public var isPartitioned: Bool { partitionStart != nil }

    /// `node` came up at `now`.
    public mutating func nodeUp(_ node: Atom, at now: Duration) -> [Event] {
        up.insert(node)
        var events: [Event] = [.nodeUp(node)]
        if cutOff.remove(node) != nil, cutOff.isEmpty, let start = partitionStart {
            partitionStart = nil
            events.append(.partitionHealed(duration: now - start))
        }
        return events
    }

    /// `node` went down at `now` for `reason` (`disconnect`, on purpose, and `replaced`, by a newer
    /// connection, are not partitions).
    public mutating func nodeDown(_ node: Atom, reason: String, at now: Duration) -> [Event] {
        guard up.remove(node) != nil else { return [] }
        var events: [Event] = [.nodeDown(node, reason: reason)]
        // On purpose, or a newer connection to the same node replacing this one: no partition.
        guard reason != "disconnect", reason != "replaced" else { return events }
        cutOff.insert(node)
        if partitionStart == nil {
            partitionStart = now
            events.append(.partitionStarted(unreachable: cutOff))
        }
        return events
    }

    /// Stops waiting for `node` (it left the cluster for good): a partition waiting only for it
    /// heals now.
    public mutating func forget(_ node: Atom, at now: Duration) -> [Event] {
        up.remove(node)
        guard cutOff.remove(node) != nil, cutOff.isEmpty, let start = partitionStart else { return [] }
        partitionStart = nil
        return [.partitionHealed(duration: now - start)]
    }
}
