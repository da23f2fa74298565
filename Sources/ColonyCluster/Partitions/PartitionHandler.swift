public import Colony
public import ErlangTerm
import Logging
public import ServiceLifecycle
import Synchronization

/// The shell of ``PartitionTracker`` for a running node (the seed's `PartitionHandler`): it
/// follows the node's events, reports partition started and healed (with its duration) to its
/// subscribers, logs them, and records them in the node's event log, where the dashboard shows
/// them. Runs as a `Service` until graceful shutdown or cancellation.
///
/// Given a ``ClusterMembership``, it follows the membership view instead of the connections: a
/// member becoming unreachable starts a partition (long before the tick would close its
/// connection), and its coming back up heals it.
public final class PartitionHandler: Service, Sendable {
    /// The node it watches.
    public let node: Node
    /// The membership view it follows, if any.
    public let membership: ClusterMembership?
    private let tracker = Mutex(PartitionTracker())
    private let broadcast = Broadcast<PartitionTracker.Event>()
    private let start = ContinuousClock.now
    private let logger = Logger(label: "colony.cluster.partitions")
    /// Subscribed when the handler is made, so that nothing between then and ``run()`` is missed.
    private let nodeEvents: AsyncStream<NodeEvent>?
    private let membershipChanges: AsyncStream<MembershipChange>?
    /// The members up when it was made (subscribed first: one that comes up in between is just
    /// reported up twice).
    private let initialMembers: [Atom]

    /// A handler for `node`'s events from now on.
    public init(node: Node) {
        self.node = node
        membership = nil
        nodeEvents = node.monitorNodes()
        membershipChanges = nil
        initialMembers = node.nodes(.connected)
    }

    /// A handler following `membership`'s view from now on.
    public init(membership: ClusterMembership) {
        node = membership.node
        self.membership = membership
        nodeEvents = nil
        membershipChanges = membership.changes()
        initialMembers = membership.members.filter { $0.status == .up || $0.status == .suspect }.map(\.name)
    }

    /// The events from now on.
    public func events() -> AsyncStream<PartitionTracker.Event> { broadcast.subscribe() }

    /// Whether a partition is under way, and who is cut off.
    public var unreachable: Set<Atom> { tracker.withLock { $0.unreachable } }

    public func run() async throws {
        defer { broadcast.finish() }
        tracker.withLock { tracker in
            for peer in initialMembers { _ = tracker.nodeUp(peer, at: .zero) }
        }
        guard let changes = membershipChanges else {
            guard let nodeEvents else { return }
            await cancelWhenGracefulShutdown {
                for await event in nodeEvents {
                    self.update { tracker, now in
                        switch event {
                        case .nodeUp(let peer, _): tracker.nodeUp(peer, at: now)
                        case .nodeDown(let peer, _, let reason): tracker.nodeDown(peer, reason: reason, at: now)
                        }
                    }
                }
            }
            return
        }
        await cancelWhenGracefulShutdown {
            for await change in changes {
                self.update { tracker, now in
                    switch change.to {
                    case .up?: tracker.nodeUp(change.name, at: now)
                    case .unreachable?: tracker.nodeDown(change.name, reason: "unreachable", at: now)
                    case nil, .leaving?: tracker.forget(change.name, at: now)
                    case .suspect?, .down?: []
                    }
                }
            }
        }
    }

    private func update(_ body: (inout PartitionTracker, Duration) -> [PartitionTracker.Event]) {
        let now = ContinuousClock.now - start
        for event in tracker.withLock({ body(&$0, now) }) {
            note(event)
            broadcast.yield(event)
        }
    }

    private func note(_ event: PartitionTracker.Event) {
        switch event {
        case .partitionStarted(let unreachable):
            let names = unreachable.map(\.name).sorted().joined(separator: ", ")
            logger.warning("partition started: \(names) unreachable")
            node.record(.partitionStarted, subject: names, detail: "unreachable")
        case .partitionHealed(let duration):
            let milliseconds =
                duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
            logger.notice("partition healed after \(milliseconds) ms")
            node.record(.partitionHealed, subject: node.name.name, detail: "after \(milliseconds) ms")
        case .nodeUp, .nodeDown:
            break
        }
    }
}
