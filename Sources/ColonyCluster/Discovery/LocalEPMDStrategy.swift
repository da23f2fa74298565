public import Colony
import ErlangDistribution
import ErlangTerm

/// Every node registered with the EPMD of each of `hosts` (libcluster's `LocalEpmd` for this
/// host; any hosts whose EPMD is reachable): `name@host` for each name, polled.
public struct LocalEPMDStrategy: DiscoveryStrategy {
    /// The hosts whose EPMD to ask; the node names use them as written.
    public let hosts: [String]
    /// EPMD's port.
    public let epmdPort: Int
    /// How often to ask.
    public let interval: Duration
    public var name: String { "local_epmd" }

    /// Polls EPMD on `hosts` (port `epmdPort`) every `interval`.
    public init(hosts: [String] = ["127.0.0.1"], epmdPort: Int = 4369, interval: Duration = .seconds(5)) {
        self.hosts = hosts
        self.epmdPort = epmdPort
        self.interval = interval
    }

    public func run(on node: Node, report: @escaping @Sendable (DiscoverySighting) -> Void) async throws {
        let client = EPMDClient(group: node.eventLoopGroup)
        var last: [String: Set<Atom>] = [:]
        while !Task.isCancelled {
            for host in hosts {
                // A host whose EPMD does not answer keeps what it listed last.
                guard let names = try? await client.names(host: host, port: epmdPort) else { continue }
                last[host] = Set(names.compactMap { Atom(input: "\($0.name)@\(host)") })
            }
            report(.listed(last.values.reduce(into: Set<Atom>()) { $0.formUnion($1) }))
            try await Task.sleep(for: interval)
        }
    }
}
