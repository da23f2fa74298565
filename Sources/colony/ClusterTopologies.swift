import Colony
import ColonyCluster
import ColonyConfiguration
import ErlangTerm

/// The discovery topologies the settings ask for.
enum ClusterTopologies {
    static func make(_ settings: ClusterSettings, node: Node) -> [ClusterTopology] {
        var topologies: [ClusterTopology] = []
        if settings.gossip {
            var options = GossipStrategy.Options()
            options.port = settings.gossipPort
            options.multicastAddress = settings.gossipAddress
            options.interface = settings.gossipInterface
            options.secret = settings.gossipSecret
            topologies.append(ClusterTopology(node: node, strategy: GossipStrategy(options: options)))
        }
        if !settings.epmdHosts.isEmpty {
            let nodes = settings.epmdHosts.map { Atom($0) }
            topologies.append(ClusterTopology(node: node, strategy: StaticHostsStrategy(nodes: nodes)))
        }
        return topologies
    }
}
