public import Colony
public import ColonyCluster

/// The dashboard's picture of the cluster, as a pure state machine: it is told what the observer
/// node sees (which nodes it is connected to, each node's ``NodeSnapshot``, an Erlang node's
/// basic figures, a node that did not answer), with the time, and gives the ``ClusterModel`` the
/// page draws. A node once seen stays on the picture, marked down, until it comes back.
public struct ClusterView: Sendable {
    /// The node the dashboard runs on.
    public let observer: String
    /// How many events the model keeps.
    public let eventLimit: Int
    private var members: [String: ClusterModel.Member] = [:]
    private var events: [ObservedEvent] = []
    private var seenEvents: Set<ObservedEvent> = []

    /// A picture seen from `observer`, keeping the last `eventLimit` events.
    public init(observer: String, eventLimit: Int = 100) {
        self.observer = observer
        self.eventLimit = eventLimit
    }

    /// The observer is connected to exactly `connected` now: those not seen before join as up
    /// (`unknown` runtime until they answer); members no longer connected are down, with the
    /// reason of their last `nodedown` event if one is known.
    public mutating func connected(_ connected: Set<String>) {
        for name in connected where members[name] == nil || members[name]?.status == "down" {
            var member = members[name] ?? Self.blank(name)
            member.status = "up"
            member.reason = nil
            members[name] = member
        }
        for (name, member) in members where name != observer && !connected.contains(name) && member.status != "down" {
            var down = member
            down.status = "down"
            down.reason = lastDownReason(of: name) ?? "not connected"
            down.connections = []
            members[name] = down
        }
    }

    /// A Colony node answered with its membership view.
    public mutating func observed(_ membership: MembershipView) {
        members[membership.node]?.membership = membership
    }

    /// A Colony node answered with its `pg` groups (`colony_pg:groups(pg)`).
    public mutating func observedGroups(_ groups: [ClusterModel.Group], of node: String) {
        members[node]?.groups = groups.sorted { $0.name < $1.name }
    }

    /// A Colony node answered with the global names it knows (`colony_global:names()`).
    public mutating func observedGlobalNames(_ names: [ClusterModel.GlobalName], of node: String) {
        members[node]?.globalNames = names.sorted { $0.name < $1.name }
    }

    /// A Colony node answered with the replicated values it holds (`colony_ddata:keys()`).
    public mutating func observedReplicatedKeys(_ keys: [ClusterModel.ReplicatedKey], of node: String) {
        members[node]?.replicatedKeys = keys.sorted { $0.key < $1.key }
    }

    /// A Colony node answered with its store replica's status (`colony_store:status()`).
    public mutating func observedStore(_ replica: ClusterModel.StoreReplica, of node: String) {
        members[node]?.store = replica
    }

    /// A Colony node answered with `snapshot` at `time`.
    public mutating func observed(_ snapshot: NodeSnapshot, at time: Int64) {
        var member = members[snapshot.name] ?? Self.blank(snapshot.name)
        member.status = "up"
        member.reason = nil
        member.runtime = "colony"
        member.lastSeen = time
        member.processCount = snapshot.processCount
        member.connections = snapshot.connections.map(\.name)
        member.transport = snapshot.transport
        member.peerTransports = Dictionary(
            snapshot.connections.compactMap { peer in peer.transport.map { (peer.name, $0) } },
            uniquingKeysWith: { first, _ in first })
        member.topProcesses = snapshot.topProcesses
        member.supervision = snapshot.supervision
        members[snapshot.name] = member
        for event in snapshot.events where !seenEvents.contains(event) {
            seenEvents.insert(event)
            events.append(event)
        }
        events.sort { ($0.time, $0.node) < ($1.time, $1.node) }
        if events.count > eventLimit {
            for old in events.prefix(events.count - eventLimit) { seenEvents.remove(old) }
            events.removeFirst(events.count - eventLimit)
        }
        // A snapshot's connections name nodes the observer may not know yet: down until the
        // observer connects to them.
        for peer in snapshot.connections where members[peer.name] == nil && peer.name != observer {
            var member = Self.blank(peer.name)
            member.status = "down"
            member.reason = "not connected to \(observer)"
            members[peer.name] = member
        }
    }

    /// An Erlang or Elixir node answered with its process count and connections at `time`.
    public mutating func observedErlang(_ name: String, processCount: Int, connections: [String], at time: Int64) {
        var member = members[name] ?? Self.blank(name)
        member.status = "up"
        member.reason = nil
        member.runtime = "erlang"
        member.lastSeen = time
        member.processCount = processCount
        member.connections = connections
        members[name] = member
    }

    /// A connected node did not answer: `why`.
    public mutating func unresponsive(_ name: String, why: String) {
        guard var member = members[name], member.status != "down" else { return }
        member.status = "unresponsive"
        member.reason = why
        members[name] = member
    }

    /// The nodes some live member reports a connection to that the observer has none to.
    public func unconnected(given connected: Set<String>) -> Set<String> {
        var names: Set<String> = []
        for member in members.values where member.status != "down" {
            for peer in member.connections where peer != observer && !connected.contains(peer) { names.insert(peer) }
        }
        return names
    }

    /// What the node `name` runs, as far as the view knows (`colony`, `erlang` or `unknown`).
    public func runtime(of name: String) -> String {
        members[name]?.runtime ?? "unknown"
    }

    /// The picture at `time`: members by name; the links that live members report, each once.
    public func model(at time: Int64) -> ClusterModel {
        var links: Set<ClusterModel.Link> = []
        for member in members.values where member.status != "down" {
            for peer in member.connections where members[peer]?.status != "down" && peer != member.name {
                let pair = [member.name, peer].sorted()
                links.insert(ClusterModel.Link(from: pair[0], to: pair[1]))
            }
        }
        return ClusterModel(
            observer: observer, time: time, nodes: members.values.sorted { $0.name < $1.name },
            links: links.sorted { ($0.from, $0.to) < ($1.from, $1.to) }, events: events)
    }

    private func lastDownReason(of name: String) -> String? {
        events.last { $0.kind == .nodeDown && $0.subject == name && $0.node == observer }?.detail
    }

    private static func blank(_ name: String) -> ClusterModel.Member {
        ClusterModel.Member(
            name: name, status: "up", runtime: "unknown", reason: nil, lastSeen: nil, processCount: nil,
            connections: [], topProcesses: [], supervision: [], membership: nil, groups: nil)
    }
}
