public import Colony
public import ColonyCluster
public import ErlangTerm

/// What the dashboard page draws: the cluster's nodes with their status and details, the
/// connections between them, and the recent events. Sent to the page as JSON.
public struct ClusterModel: Sendable, Codable, Hashable {
    /// The node the dashboard runs on.
    public var observer: String
    /// When the model was made, in milliseconds since 1970.
    public var time: Int64
    /// Every node seen, by name.
    public var nodes: [Member]
    /// The connections the live nodes report, each once.
    public var links: [Link]
    /// The cluster's recent events, oldest first.
    public var events: [ObservedEvent]

    /// One node as the dashboard shows it.
    public struct Member: Sendable, Codable, Hashable {
        /// The node's name.
        public var name: String
        /// `up`, `down` (not connected to the observer) or `unresponsive` (connected, but it did
        /// not answer the last question in time).
        public var status: String
        /// `colony`, `erlang` (an Erlang or Elixir node) or `unknown` (never answered).
        public var runtime: String
        /// Why it went down, when it is down.
        public var reason: String?
        /// When it last answered, in milliseconds since 1970.
        public var lastSeen: Int64?
        /// Its number of processes, as last seen.
        public var processCount: Int?
        /// The nodes it is connected to, as last seen.
        public var connections: [String]
        /// The processes with the most messages waiting (Colony nodes).
        public var topProcesses: [ProcessSummary]
        /// Its supervision trees (Colony nodes).
        public var supervision: [SupervisionNode]
        /// Its membership view: every member's status as this node sees it (Colony nodes that
        /// run ``ColonyCluster/ClusterMembership``).
        public var membership: MembershipView?
        /// Its `pg` groups (default scope) with their members on every node, as it sees them
        /// (Colony nodes that run a scope).
        public var groups: [Group]?
        /// The global names it knows, with their processes (Colony nodes that run global names).
        public var globalNames: [GlobalName]? = nil
        /// The replicated values it holds (Colony nodes that run a replicator).
        public var replicatedKeys: [ReplicatedKey]? = nil
        /// Its replica of the replicated store (Colony nodes that run one).
        public var store: StoreReplica? = nil
        /// What carries its distribution: `tcp` or `tls` (Colony nodes).
        public var transport: String? = nil
        /// What carries each of its connections, by peer: `tcp`, or `tls TLSv1.3 peer CN=...`
        /// (Colony nodes).
        public var peerTransports: [String: String]? = nil
    }

    /// One node's replica of the Raft store (`colony_store:status()`).
    public struct StoreReplica: Sendable, Codable, Hashable {
        /// `leader`, `follower`, `candidate` or `preCandidate`.
        public var role: String
        /// The Raft term.
        public var term: Int
        /// The leader it knows, if any.
        public var leader: String?
        /// The highest index it knows committed.
        public var commitIndex: Int
        /// The highest index it applied to its tables.
        public var appliedIndex: Int
        /// Its tables, with their record counts.
        public var tables: [String: Int]

        /// A replica from its parts.
        public init(
            role: String, term: Int, leader: String?, commitIndex: Int, appliedIndex: Int, tables: [String: Int]
        ) {
            self.role = role
            self.term = term
            self.leader = leader
            self.commitIndex = commitIndex
            self.appliedIndex = appliedIndex
            self.tables = tables
        }

        /// The replica a `colony_store:status()` map describes, or `nil`.
        public init?(status: Term) {
            guard case .map(let map) = status, let role = map[atom: "role"]?.atomValue?.name,
                case .integer(let term)? = map[atom: "term"], case .integer(let commit)? = map[atom: "commit_index"],
                case .integer(let applied)? = map[atom: "applied_index"]
            else { return nil }
            var tables: [String: Int] = [:]
            if case .map(let counts)? = map[atom: "tables"] {
                for (name, count) in counts {
                    if let name = name.stringValue, case .integer(let count) = count { tables[name] = count }
                }
            }
            let leader = map[atom: "leader"]?.atomValue.flatMap { $0.name == "undefined" ? nil : $0.name }
            self.init(
                role: role, term: term, leader: leader, commitIndex: commit, appliedIndex: applied, tables: tables)
        }
    }

    /// A replicated value as one node holds it.
    public struct ReplicatedKey: Sendable, Codable, Hashable {
        /// The key.
        public var key: String
        /// Its type, such as `PNCounter`.
        public var type: String
        /// A line about its value here.
        public var summary: String

        /// A key from its parts.
        public init(key: String, type: String, summary: String) {
            self.key = key
            self.type = type
            self.summary = summary
        }
    }

    /// A global name as one node sees it.
    public struct GlobalName: Sendable, Codable, Hashable {
        /// The name, as Erlang prints it.
        public var name: String
        /// The process registered under it.
        public var pid: String

        /// A name from its parts.
        public init(name: String, pid: String) {
            self.name = name
            self.pid = pid
        }
    }

    /// A `pg` group as one node sees it.
    public struct Group: Sendable, Codable, Hashable {
        /// The group's name, as Erlang prints it.
        public var name: String
        /// Its members on every node.
        public var members: [String]

        /// A group from its parts.
        public init(name: String, members: [String]) {
            self.name = name
            self.members = members
        }
    }

    /// A connection between two nodes, named in sorted order.
    public struct Link: Sendable, Codable, Hashable {
        /// One end (the smaller name).
        public var from: String
        /// The other end.
        public var to: String
    }
}
