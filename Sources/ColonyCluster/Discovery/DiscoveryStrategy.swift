public import Colony
public import ErlangTerm

/// Where a topology learns which nodes make up the cluster: a static list, EPMD, gossip, DNS,
/// the Kubernetes API, or one of the user's. A strategy only finds nodes; ``ClusterTopology``
/// connects, reconnects and (as configured) prunes them.
public protocol DiscoveryStrategy: Sendable {
    /// A short name for logs and the dashboard (`gossip`, `epmd`, ...).
    var name: String { get }

    /// Runs until the task is cancelled, telling `report` what it finds.
    func run(on node: Node, report: @escaping @Sendable (DiscoverySighting) -> Void) async throws
}

/// What a strategy found.
public enum DiscoverySighting: Sendable, Equatable {
    /// The whole set of nodes the source lists now (a poll of a list, EPMD, DNS, an API): a node
    /// not in it is no longer listed.
    case listed(Set<Atom>)
    /// One node announced itself (a gossip heartbeat): it stays listed while it keeps announcing.
    case heard(Atom)
}
