public import Colony
public import ColonyTLS
import Configuration
import Foundation
import SystemPackage

/// A node's settings, from flags, environment variables, a JSON config file and defaults, with
/// that precedence: a flag beats the environment, the environment beats the file, the file beats
/// the default. Every value is checked, and a bad one is a ``SettingsError`` naming the setting,
/// the value, where it came from and why.
///
/// ```swift
/// let settings = try await ColonySettings.load(
///     flags: ["--name": "a@127.0.0.1"], environment: ProcessInfo.processInfo.environment,
///     configFile: "/etc/colony.json")
/// let node = try await Node.start(settings.nodeConfiguration)
/// ```
///
/// The config file is JSON with the settings' keys as nested objects:
/// `{"node": {"name": "a", "distribution": "name"}, "epmd": {"port": 4369}}`.
public struct ColonySettings: Sendable {
    /// The full node name, `name@host`.
    public var nodeName: String
    /// The cookie, if set (otherwise `~/.erlang.cookie` is read when the node starts).
    public var cookie: String?
    /// Whether the node is hidden.
    public var hidden: Bool
    /// The EPMD port.
    public var epmdPort: Int
    /// Whether the node uses EPMD (otherwise it listens on ``distributionPort`` and dials peers there).
    public var usesEPMD: Bool
    /// The distribution port (0: any).
    public var distributionPort: Int
    /// The address the node listens on.
    public var listenAddress: String
    /// `net_ticktime` in seconds.
    public var tickTime: Int
    /// The Prometheus endpoint's port, if one is to be served (0: any free port).
    public var metricsPort: Int?
    /// The OTLP/HTTP endpoint spans are exported to, if the node traces.
    public var otlpEndpoint: String?
    /// How the node finds its cluster.
    public var cluster: ClusterSettings
    /// Distribution over TLS, when the certificate, key and CA files are set; `nil` is plain TCP.
    public var tls: TLSSettings?
    /// How logs are written: `text` or `json`.
    public var logFormat: String
    /// The lowest level logged.
    public var logLevel: String
    /// Where each setting's value came from.
    public var sources: [Setting: SettingSource]

    /// The node configuration these settings describe, with its TLS transport when ``tls`` is
    /// set (reading the certificate files; a file that cannot be used is a ``TLSTransportError``).
    public func nodeConfigurationWithTransport() throws -> NodeConfiguration {
        var configuration = nodeConfiguration
        if let tls { configuration.transport = try TLSTransport(settings: tls) }
        return configuration
    }

    /// The node configuration these settings describe, without a transport: plain TCP even when
    /// ``tls`` is set (see ``nodeConfigurationWithTransport()``).
    public var nodeConfiguration: NodeConfiguration {
        var configuration = NodeConfiguration(name: nodeName, cookie: cookie)
        configuration.hidden = hidden
        configuration.epmdPort = epmdPort
        configuration.usesEPMD = usesEPMD
        configuration.distributionPort = distributionPort
        configuration.listenAddress = listenAddress
        configuration.tickTime = .seconds(tickTime)
        return configuration
    }

    /// Reads the settings. `flags` maps a setting's flag (``Setting/flag``) to the value given on
    /// the command line (`"true"` for a flag without a value); `configFile` is a JSON file, or
    /// `nil` (then `COLONY_CONFIG` names one, if set).
    ///
    /// - Parameter defaultName: the node name when none is set (the host is added).
    public static func load(
        flags: [String: String], environment: [String: String], configFile: String? = nil,
        defaultName: String = "colony"
    ) async throws(SettingsError) -> ColonySettings {
        let file = configFile ?? environment["COLONY_CONFIG"]
        let sources = try await SettingSources(flags: flags, environment: environment, file: file)
        var builder = SettingsBuilder(sources: sources, environment: environment, defaultName: defaultName)
        return try builder.build()
    }
}

/// The places a value can come from, in precedence order.
struct SettingSources: Sendable {
    let flags: [String: String]
    let environment: EnvironmentVariablesProvider
    let file: (path: String, provider: FileProvider<JSONSnapshot>)?

    init(flags: [String: String], environment: [String: String], file: String?) async throws(SettingsError) {
        self.flags = flags
        self.environment = EnvironmentVariablesProvider(environmentVariables: environment)
        if let file {
            do {
                self.file = (file, try await FileProvider<JSONSnapshot>(filePath: FilePath(file)))
            } catch {
                throw SettingsError(setting: nil, value: file, source: .file(file), reason: "\(error)")
            }
        } else {
            self.file = nil
        }
    }

    /// The value of `setting` and where it came from, or `nil` when nothing sets it.
    func raw(_ setting: Setting) throws(SettingsError) -> (String, SettingSource)? {
        if let value = flags[setting.flag] { return (value, .flag(setting.flag)) }
        for name in setting.environment {
            let key = AbsoluteConfigKey(name.lowercased().split(separator: "_").map(String.init))
            if case .string(let value)? = try? environment.value(forKey: key, type: .string).value?.content,
                !value.isEmpty
            {
                return (value, .environment(name))
            }
        }
        if let (path, provider) = file {
            let key = AbsoluteConfigKey(setting.path)
            for type in [ConfigType.string, .int, .bool, .double] {
                guard let result = try? provider.value(forKey: key, type: type), let content = result.value?.content
                else { continue }
                switch content {
                case .string(let value): return (value, .file(path))
                case .int(let value): return (String(value), .file(path))
                case .bool(let value): return (String(value), .file(path))
                case .double(let value): return (String(value), .file(path))
                default:
                    throw SettingsError(
                        setting: setting, value: "\(content)", source: .file(path), reason: "not a single value")
                }
            }
        }
        return nil
    }
}

/// A split-brain strategy as configured (module `ColonyCluster`'s `SplitBrainStrategy`).
public enum SplitBrainSetting: Sendable, Equatable {
    /// `keep-majority`.
    case keepMajority
    /// `static-quorum:N`.
    case staticQuorum(Int)
    /// `keep-oldest`, or `keep-oldest:down-if-alone`.
    case keepOldest(downIfAlone: Bool)
    /// `keep-referee:NODE[:MINIMUM]` (minimum 1 when not given).
    case keepReferee(String, minimum: Int)
    /// `down-all`.
    case downAll

    /// The setting `text` spells, if it is one.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch (parts[0], parts.count) {
        case ("keep-majority", 1): self = .keepMajority
        case ("down-all", 1): self = .downAll
        case ("keep-oldest", 1): self = .keepOldest(downIfAlone: false)
        case ("keep-oldest", 2) where parts[1] == "down-if-alone": self = .keepOldest(downIfAlone: true)
        case ("static-quorum", 2):
            guard let quorum = Int(parts[1]), quorum > 0 else { return nil }
            self = .staticQuorum(quorum)
        case ("keep-referee", 2), ("keep-referee", 3):
            // A node name has an @, so the minimum is what follows a third colon-separated part.
            guard parts[1].contains("@") else { return nil }
            let minimum = parts.count == 3 ? Int(parts[2]) : 1
            guard let minimum, minimum > 0 else { return nil }
            self = .keepReferee(parts[1], minimum: minimum)
        default: return nil
        }
    }
}

/// How a node finds its cluster (module `ColonyCluster` acts on these).
public struct ClusterSettings: Sendable, Equatable {
    /// Gossip with libcluster's Gossip format.
    public var gossip = false
    /// The gossip port.
    public var gossipPort = 45892
    /// The gossip multicast group or broadcast address.
    public var gossipAddress = "233.252.1.32"
    /// The IPv4 address of the interface to gossip on.
    public var gossipInterface = "0.0.0.0"
    /// The gossip secret, if heartbeats are encrypted.
    public var gossipSecret: String?
    /// A fixed list of nodes to keep connected.
    public var epmdHosts: [String] = []
    /// A DNS name whose A records are the nodes.
    public var dnsPoll: String?
    /// A Kubernetes headless service whose A records are the nodes.
    public var kubernetesDNS: String?
    /// A DNS name whose SRV targets are the nodes.
    public var kubernetesDNSSRV: String?
    /// The node name before `@` for nodes found by DNS.
    public var nodeBasename: String?
    /// The DNS server, `IP` or `IP:PORT`.
    public var dnsServer: String?
    /// How often DNS and the Kubernetes API are polled, in milliseconds.
    public var pollInterval = 5000
    /// The label selector of the cluster's pods in the Kubernetes API.
    public var kubernetesSelector: String?
    /// The namespace to ask the Kubernetes API about (`nil`: the pod's own).
    public var kubernetesNamespace: String?
    /// `endpointslices` or `pods`.
    public var kubernetesSource = "endpointslices"
    /// The membership probe interval in milliseconds (0: no membership view).
    public var probeInterval = 1000
    /// The suspicion timeout in milliseconds.
    public var suspicionTimeout = 2000
    /// How many members probe for this node when a direct probe is late.
    public var indirectProbes = 3
    /// The split-brain resolver's strategy, if one runs.
    public var splitBrain: SplitBrainSetting?
    /// How long the view must be stable before the resolver decides, in milliseconds.
    public var stableAfter = 5000
    /// What the losing side does: `shutdown` or `wait`.
    public var splitBrainAction = "shutdown"
    /// The `pg` groups (default scope) the node's `echo` process joins.
    public var pgJoin: [String] = []
    /// The name the node's `kv` server registers globally under, if any.
    public var globalName: String?
    /// OTP's `prevent_overlapping_partitions` for global names (on by default, as in OTP 25).
    public var preventOverlappingPartitions = true
    /// Where the node's replicator keeps replicated data on disk, if anywhere.
    public var ddataDirectory: String?
    /// The replicated store's tables on this node (none: the store does not run).
    public var storeTables: [String] = []
    /// The first voters of a new store group; empty to join a connected node's.
    public var storeVoters: [String] = []
    /// Where the store keeps its log (default: `colony-store/<node name>` in the working
    /// directory).
    public var storeDirectory: String?
    /// `disc` (a voter, on disk) or `ram` (a non-voting copy in memory).
    public var storeCopy = "disc"

    /// No discovery.
    public init() {}
}
