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
        let queries: [(String?, DNSMessage.RecordType)] = [
            (settings.dnsPoll, .a), (settings.kubernetesDNS, .a), (settings.kubernetesDNSSRV, .srv),
        ]
        for case (let query?, let type) in queries {
            var options = DNSPollStrategy.Options(query: query, basename: settings.nodeBasename ?? "colony")
            options.recordType = type
            options.interval = .milliseconds(settings.pollInterval)
            if let server = settings.dnsServer {
                let parts = server.split(separator: ":")
                options.server = DNSClient(host: String(parts[0]), port: parts.count == 2 ? Int(parts[1]) ?? 53 : 53)
            }
            topologies.append(ClusterTopology(node: node, strategy: DNSPollStrategy(options: options)))
        }
        if let selector = settings.kubernetesSelector {
            var options = KubernetesAPIStrategy.Options(
                labelSelector: selector, basename: settings.nodeBasename ?? "colony")
            options.namespace = settings.kubernetesNamespace
            options.source = settings.kubernetesSource == "pods" ? .pods : .endpointSlices
            options.interval = .milliseconds(settings.pollInterval)
            topologies.append(ClusterTopology(node: node, strategy: KubernetesAPIStrategy(options: options)))
        }
        return topologies
    }
}
