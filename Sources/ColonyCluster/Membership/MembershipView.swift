/// One node's membership view at one moment: what ``ClusterMembership/view`` returns, and what
/// `colony_membership:view()` gives another node (as a map term, through `TermEncoder`).
public struct MembershipView: Sendable, Codable, Hashable {
    /// One member as this node sees it.
    public struct Entry: Sendable, Codable, Hashable {
        /// The node's name.
        public var name: String
        /// Its status.
        public var status: MemberStatus
        /// When it started, in milliseconds since 1970 (`Int.max` if it did not say).
        public var started: Int
        /// Whether it is a Colony node.
        public var colony: Bool
        /// Whether a connection to it is open.
        public var connected: Bool

        /// An entry from its parts.
        public init(name: String, status: MemberStatus, started: Int, colony: Bool, connected: Bool) {
            self.name = name
            self.status = status
            self.started = started
            self.colony = colony
            self.connected = connected
        }
    }

    /// The node whose view this is.
    public var node: String
    /// Its local health score (0 is healthy).
    public var localHealth: Int
    /// Every member, this node included, by name.
    public var members: [Entry]

    /// A view from its parts.
    public init(node: String, localHealth: Int, members: [Entry]) {
        self.node = node
        self.localHealth = localHealth
        self.members = members
    }

    /// The oldest member that is up or suspect (the smallest start time, then name).
    public var oldest: String? {
        members.filter { $0.status == .up || $0.status == .suspect }
            .min { ($0.started, $0.name) < ($1.started, $1.name) }?.name
    }

    /// The members with `status`.
    public func names(_ status: MemberStatus) -> [String] {
        members.filter { $0.status == status }.map(\.name)
    }
}

extension MembershipState {
    /// The view as a ``MembershipView``, this node included.
    public var view: MembershipView {
        let mine = MembershipView.Entry(name: me.name, status: .up, started: started, colony: true, connected: true)
        let others = members.map {
            MembershipView.Entry(
                name: $0.name.name, status: $0.status, started: $0.started, colony: $0.isColony,
                connected: $0.isConnected)
        }
        return MembershipView(
            node: me.name, localHealth: localHealth, members: (others + [mine]).sorted { $0.name < $1.name })
    }
}
