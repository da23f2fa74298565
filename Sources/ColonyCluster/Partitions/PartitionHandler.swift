public import Colony
public import ErlangTerm
import Logging
public import ServiceLifecycle
import Synchronization

/// The shell of ``PartitionTracker`` for a running node (the seed's `PartitionHandler`): it
/// follows the node's events, reports partition started and healed (with its duration) to its
/// subscribers, logs them, and records them in the node's event log, where the dashboard shows
/// them. Runs as a `Service` until graceful shutdown or cancellation.
public final class PartitionHandler: Service, Sendable {
    /// The node it watches.
    public let node: Node
    private let state = Mutex(State())
    private let start = ContinuousClock.now
    private let logger = Logger(label: "colony.cluster.partitions")

    private struct State: ~Copyable {
        var tracker = PartitionTracker()
        var subscribers: [Int: AsyncStream<PartitionTracker.Event>.Continuation] = [:]
        var next = 0
    }

    /// A handler for `node`'s events.
    public init(node: Node) {
        self.node = node
    }

    /// The events from now on.
    public func events() -> AsyncStream<PartitionTracker.Event> {
        let (stream, continuation) = AsyncStream<PartitionTracker.Event>.makeStream()
        let id = state.withLock { state -> Int in
            defer { state.next += 1 }
            state.subscribers[state.next] = continuation
            return state.next
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Whether a partition is under way, and who is cut off.
    public var unreachable: Set<Atom> { state.withLock { $0.tracker.unreachable } }

    public func run() async throws {
        let nodeEvents = node.monitorNodes()
        // The peers connected before it started are members too.
        let started = ContinuousClock.now - start
        state.withLock { state in
            for peer in node.nodes(.connected) { _ = state.tracker.nodeUp(peer, at: started) }
        }
        await cancelWhenGracefulShutdown {
            for await event in nodeEvents {
                let now = ContinuousClock.now - self.start
                let (out, subscribers) = self.state.withLock { state in
                    let out: [PartitionTracker.Event]
                    switch event {
                    case .nodeUp(let peer, _): out = state.tracker.nodeUp(peer, at: now)
                    case .nodeDown(let peer, _, let reason): out = state.tracker.nodeDown(peer, reason: reason, at: now)
                    }
                    return (out, Array(state.subscribers.values))
                }
                for item in out {
                    self.note(item)
                    for subscriber in subscribers { subscriber.yield(item) }
                }
            }
        }
        state.withLock { state in
            for subscriber in state.subscribers.values { subscriber.finish() }
            state.subscribers = [:]
        }
    }

    private func note(_ event: PartitionTracker.Event) {
        switch event {
        case .partitionStarted(let unreachable):
            let names = unreachable.map(\.name).sorted().joined(separator: ", ")
            logger.warning("partition started: \(names) unreachable")
            node.record(.partitionStarted, subject: names, detail: "unreachable")
        case .partitionHealed(let duration):
            logger.notice("partition healed after \(duration)")
            node.record(.partitionHealed, subject: node.name.name, detail: "after \(duration)")
        case .nodeUp, .nodeDown:
            break
        }
    }
}
