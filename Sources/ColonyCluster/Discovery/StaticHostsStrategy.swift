public import Colony
public import ErlangTerm

/// A fixed list of nodes (libcluster's `Epmd` strategy): every one is connected, and reconnected
/// when it comes back.
public struct StaticHostsStrategy: DiscoveryStrategy {
    /// The nodes.
    public let nodes: Set<Atom>
    public var name: String { "epmd_hosts" }

    /// The cluster is exactly `nodes` (this node among them or not).
    public init(nodes: [Atom]) {
        self.nodes = Set(nodes)
    }

    public func run(on node: Node, report: @escaping @Sendable (DiscoverySighting) -> Void) async throws {
        report(.listed(nodes))
        // Nothing changes; the topology reconnects from the list it has.
        while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
    }
}
