import Colony
public import ErlangTerm
import Logging
public import ServiceLifecycle
import Synchronization

/// The split-brain resolver of a running node: the shell of ``SplitBrainResolverState``. It
/// follows the membership view, and once a partition has left it unchanged for the stable-after
/// window it acts on the decision: the side that keeps running takes the members it cannot
/// reach out of the cluster (``ClusterMembership/down(_:)``: marked down and disconnected); the
/// side that loses stops its singleton work and then shuts down or waits, as configured.
///
/// **Singleton work** is work that must not run on both sides of a partition: a scheduler, the
/// only writer of some data, a leader-only job. Register it with ``addSingletonWork(_:stop:resume:)``;
/// the losing side calls every `stop` before it shuts down or waits, and a waiting side calls
/// every `resume` once every member is reachable again (the partition healed and the other side
/// let it back in).
///
/// With ``Action/shutDown``, ``run()`` returns after the stop hooks and `onShutDown`: run it in a
/// `ServiceGroup` with `successTerminationBehavior: .gracefullyShutdownGroup` so the node stops
/// (`colony node` does, and exits with status 3).
public final class SplitBrainResolver: Service, Sendable {
    /// What the losing side does once its singleton work is stopped.
    public enum Action: String, Sendable, Equatable {
        /// Stop the node (``run()`` returns).
        case shutDown = "shutdown"
        /// Keep running without the singleton work, and resume it when the cluster is whole again.
        case wait
    }

    /// What the resolver did.
    public enum Event: Sendable, Equatable {
        /// This side keeps running and took these members out.
        case kept(downing: Set<Atom>)
        /// This side lost and stopped its singleton work (then shuts down or waits).
        case lost(Action)
        /// The waiting side's members are all reachable again; its singleton work resumed.
        case resumed
    }

    /// A hook of singleton work.
    public typealias Hook = @Sendable () async -> Void

    /// The membership view it follows.
    public let membership: ClusterMembership
    /// The strategy.
    public let strategy: SplitBrainStrategy
    /// How long the view must stay unchanged before it decides.
    public let stableAfter: Duration
    /// What the losing side does.
    public let action: Action
    private let onShutDown: Hook
    private let state: Mutex<Shared>
    private let broadcast = Broadcast<Event>()
    private let start = ContinuousClock.now
    private let logger = Logger(label: "colony.cluster.split_brain")

    private struct Shared: ~Copyable {
        var machine: SplitBrainResolverState
        var work: [(name: String, stop: Hook, resume: Hook)] = []
        var waiting = false
    }

    /// A resolver following `membership` with `strategy`, deciding after `stableAfter`; the
    /// losing side does `action` (with ``Action/shutDown``, `onShutDown` runs before ``run()``
    /// returns).
    public init(
        membership: ClusterMembership, strategy: SplitBrainStrategy, stableAfter: Duration = .seconds(5),
        action: Action = .shutDown, onShutDown: @escaping Hook = {}
    ) {
        self.membership = membership
        self.strategy = strategy
        self.stableAfter = stableAfter
        self.action = action
        self.onShutDown = onShutDown
        state = Mutex(Shared(machine: SplitBrainResolverState(strategy: strategy, stableAfter: stableAfter)))
    }

    /// Registers singleton work: `stop` runs when this side loses a partition, `resume` when a
    /// waiting side is whole again.
    public func addSingletonWork(_ name: String, stop: @escaping Hook, resume: @escaping Hook) {
        state.withLock { $0.work.append((name, stop, resume)) }
    }

    /// Whether this side lost and waits for the cluster to be whole again.
    public var isWaiting: Bool { state.withLock { $0.waiting } }

    /// What the resolver does from now on.
    public func events() -> AsyncStream<Event> { broadcast.subscribe() }

    public func run() async throws {
        let tick = min(max(stableAfter / 10, .milliseconds(10)), .milliseconds(250))
        defer { broadcast.finish() }
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let now = ContinuousClock.now - start
            let view = membership.view
            // The members the decision weighs: everyone not taken out or leaving.
            let members = view.members.filter { $0.status != .down && $0.status != .leaving }
            let reachable = Set(members.filter { $0.status == .up || $0.status == .suspect }.map { Atom($0.name) })
            let suspects = Set(members.filter { $0.status == .suspect }.map { Atom($0.name) })
            let decision = state.withLock { state -> SplitBrainDecision? in
                state.machine.view(
                    members: Set(members.map { ResolverMember(name: Atom($0.name), joined: $0.started) }),
                    reachable: reachable, suspects: suspects, at: now)
                return state.machine.tick(at: now)
            }
            if let decision, try await act(on: decision) { return }
            if isWaiting, members.allSatisfy({ $0.status == .up || $0.status == .suspect }) {
                await resume()
            }
            try? await Task.sleep(for: tick)
        }
    }

    /// Acts on `decision`; whether the node must now stop.
    private func act(on decision: SplitBrainDecision) async throws -> Bool {
        switch decision {
        case .keep(let downing):
            guard !downing.isEmpty else { return false }
            let names = downing.map(\.name).sorted().joined(separator: ", ")
            logger.warning("split brain: \(strategy) keeps this side, downing \(names)")
            membership.node.record(.splitBrain, subject: membership.node.name.name, detail: "kept, downing \(names)")
            for member in downing { await membership.down(member) }
            publish(.kept(downing: downing))
            return false
        case .shutDown:
            guard !isWaiting else { return false }
            logger.error("split brain: \(strategy) stops this side (\(action.rawValue))")
            membership.node.record(.splitBrain, subject: membership.node.name.name, detail: "lost, \(action.rawValue)")
            let work = state.withLock { state in
                state.waiting = true
                return state.work
            }
            for item in work.reversed() {
                logger.notice("split brain: stopping singleton work \(item.name)")
                await item.stop()
            }
            publish(.lost(action))
            guard action == .shutDown else { return false }
            await onShutDown()
            return true
        }
    }

    private func resume() async {
        let work = state.withLock { state in
            state.waiting = false
            return state.work
        }
        logger.notice("split brain: every member is back; resuming singleton work")
        membership.node.record(.splitBrain, subject: membership.node.name.name, detail: "rejoined, resumed")
        for item in work { await item.resume() }
        publish(.resumed)
    }

    private func publish(_ event: Event) { broadcast.yield(event) }

}
