public import ErlangTerm

/// The split-brain resolver of one node, as a pure state machine with injected time: it is told
/// the cluster's members and which of them this node can reach, and decides once the view has
/// been stable (unchanged) for ``stableAfter``, so that a flapping link or a node restarting does
/// not trigger it. While some member is still suspect the view is not stable: the failure
/// detector has not finished, and deciding on half a partition could keep the wrong side. It
/// decides again only after the view changes.
public struct SplitBrainResolverState: Sendable {
    /// The strategy.
    public let strategy: SplitBrainStrategy
    /// How long the view must stay unchanged before deciding.
    public let stableAfter: Duration
    private var members: Set<ResolverMember> = []
    private var reachable: Set<Atom> = []
    private var suspects: Set<Atom> = []
    /// A gap between two calls longer than this means this node was not running (SIGSTOP, a
    /// paused VM): its view is stale, and must be stable for ``stableAfter`` again, counted from
    /// when it runs again, before it decides.
    /// `nil`: a gap is never taken for a pause.
    public let pauseThreshold: Duration?
    private var changedAt: Duration = .zero
    private var lastSeen: Duration?
    private var decided = false

    /// A resolver with `strategy`, deciding after `stableAfter` of stability; a gap of more than
    /// `pauseThreshold` between calls restarts the wait.
    public init(strategy: SplitBrainStrategy, stableAfter: Duration, pauseThreshold: Duration? = .seconds(1)) {
        self.strategy = strategy
        self.stableAfter = stableAfter
        self.pauseThreshold = pauseThreshold
    }

    /// Restarts the wait for stability when this node has not run since its last call.
    private mutating func observe(_ now: Duration) {
        if let lastSeen, let pauseThreshold, now - lastSeen > pauseThreshold { changedAt = now }
        lastSeen = now
    }

    /// The view at `now`: the members, the ones this node reaches (itself included), and those
    /// of them still suspect (no decision until there are none).
    public mutating func view(
        members: Set<ResolverMember>, reachable: Set<Atom>, suspects: Set<Atom> = [], at now: Duration
    ) {
        observe(now)
        guard members != self.members || reachable != self.reachable || suspects != self.suspects else { return }
        self.members = members
        self.reachable = reachable
        self.suspects = suspects
        changedAt = now
        decided = false
    }

    /// The decision due at `now`, if the view is stable, some members are unreachable and it
    /// has not decided on this view yet.
    public mutating func tick(at now: Duration) -> SplitBrainDecision? {
        observe(now)
        guard !decided, suspects.isEmpty, now - changedAt >= stableAfter else { return nil }
        let names = Set(members.map(\.name))
        guard !names.subtracting(reachable).isEmpty else { return nil }
        decided = true
        return strategy.decide(members: members, reachable: reachable)
    }
}
