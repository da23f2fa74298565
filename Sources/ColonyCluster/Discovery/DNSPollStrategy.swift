public import Colony
public import ErlangTerm
import Logging

/// Nodes from DNS, polled (libcluster's `DNSPoll`, `Kubernetes.DNS` and `Kubernetes.DNSSRV`):
/// each A record of the query is a node `basename@address`; each SRV record's target a node
/// `basename@target` (the pod's stable name behind a headless service). A poll that fails lists
/// nothing new: the last listing stands until a poll succeeds.
public struct DNSPollStrategy: DiscoveryStrategy {
    /// What to ask and how to name what comes back.
    public struct Options: Sendable {
        /// The name to resolve, e.g. `colony-headless.default.svc.cluster.local`.
        public var query: String
        /// The node name before `@` (every node of the cluster has the same).
        public var basename: String
        /// A records (addresses) or SRV records (host names).
        public var recordType: DNSMessage.RecordType = .a
        /// The server to ask; `nil`: the first of `/etc/resolv.conf`.
        public var server: DNSClient?
        /// How often to ask.
        public var interval: Duration = .seconds(5)

        /// Resolve `query` into nodes named `basename@…`.
        public init(query: String, basename: String) {
            self.query = query
            self.basename = basename
        }
    }

    public let options: Options
    public var name: String { options.recordType == .srv ? "dns_srv" : "dns_poll" }
    private let logger = Logger(label: "colony.cluster.dns")

    /// Poll DNS with `options`.
    public init(options: Options) {
        self.options = options
    }

    /// The nodes `records` name.
    public static func nodes(from records: [DNSMessage.Record], basename: String) -> Set<Atom> {
        var nodes: Set<Atom> = []
        for record in records {
            let host: String
            switch record {
            case .a(_, let address): host = address
            case .srv(_, _, _, _, let target): host = target.hasSuffix(".") ? String(target.dropLast()) : target
            }
            if let node = Atom(input: "\(basename)@\(host)") { nodes.insert(node) }
        }
        return nodes
    }

    public func run(on node: Node, report: @escaping @Sendable (DiscoverySighting) -> Void) async throws {
        let client = options.server ?? DNSClient.system()
        while !Task.isCancelled {
            do {
                let records = try await client.resolve(options.query, type: options.recordType)
                report(.listed(Self.nodes(from: records, basename: options.basename)))
            } catch is CancellationError {
                return
            } catch {
                logger.warning("\(options.query): \(error)")
            }
            try await Task.sleep(for: options.interval)
        }
    }
}
