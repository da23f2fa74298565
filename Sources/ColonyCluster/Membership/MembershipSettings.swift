/// How the membership protocol probes its members (SWIM's failure detector, with Lifeguard's
/// local health multiplier). Every duration except the suspicion timeout's floor is multiplied by
/// one plus the node's local health score, so a node that is itself slow (an overloaded CPU, a
/// bad link) probes more patiently instead of suspecting healthy members.
public struct MembershipSettings: Sendable, Equatable {
    /// One protocol period: a member is probed, and must answer, within it.
    public var probeInterval: Duration = .seconds(1)
    /// How long a direct probe waits before members are asked to probe for it.
    public var probeTimeout: Duration = .milliseconds(400)
    /// How many Colony members are asked to probe for it (`0`: direct probes only).
    public var indirectProbes = 3
    /// How long a suspect member has to answer before it is unreachable.
    public var suspicionTimeout: Duration = .seconds(2)
    /// The highest local health score (Lifeguard's S); probes wait at most `1 + S` times longer.
    public var maxLocalHealth = 8
    /// A gap between two ticks longer than this means this node was not running (SIGSTOP, a VM
    /// paused, a machine asleep): the time it was stopped does not count against the members, so
    /// a probe in flight and a suspicion keep the time they had left. `nil`: a gap is never
    /// taken for a pause.
    public var pauseThreshold: Duration? = .seconds(1)

    /// The defaults: a probe each second, indirect after 400 ms through 3 members, unreachable
    /// 2 s after a missed probe.
    public init() {}

    /// Roughly how long a dead member takes to be marked unreachable with a healthy local node:
    /// at worst one period to be probed, one to miss, the suspicion timeout.
    public var typicalDetectionTime: Duration { probeInterval * 2 + suspicionTimeout }
}
