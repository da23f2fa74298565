/// Something an operator wants to see in a cluster's recent history: a node coming up or going
/// down, a supervisor restarting a child or giving up. Each node keeps its own in a
/// ``NodeEventLog``; ``NodeSnapshot`` carries the latest to a dashboard.
public struct ObservedEvent: Sendable, Codable, Hashable {
    /// What happened.
    public enum Kind: String, Sendable, Codable, Hashable {
        /// A connection to another node came up.
        case nodeUp = "nodeup"
        /// The connection to another node went down.
        case nodeDown = "nodedown"
        /// A supervisor restarted a child.
        case restart
        /// A supervisor could not restart a child.
        case restartFailed = "restart_failed"
        /// A supervisor reached its restart intensity and shut down.
        case supervisorShutdown = "supervisor_shutdown"
        /// Members became unreachable (reported by a partition handler).
        case partitionStarted = "partition_started"
        /// Every member cut off by a partition is back.
        case partitionHealed = "partition_healed"
        /// A member's status changed in the membership view (suspect, unreachable, up, ...).
        case member
        /// The split-brain resolver decided what this side of a partition does.
        case splitBrain = "split_brain"
    }

    /// When, in milliseconds since 1970 (wall clock of the node that saw it).
    public var time: Int64
    /// What happened.
    public var kind: Kind
    /// The node that saw it.
    public var node: String
    /// What it happened to: the other node, or the supervisor.
    public var subject: String
    /// The details: a reason, the child restarted.
    public var detail: String

    /// An event from its parts.
    public init(time: Int64, kind: Kind, node: String, subject: String, detail: String) {
        self.time = time
        self.kind = kind
        self.node = node
        self.subject = subject
        self.detail = detail
    }
}
