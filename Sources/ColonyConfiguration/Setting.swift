/// One setting of a Colony node: its key in a config file (and in this model), the environment
/// variables that set it (the first set one wins), and its command-line flag.
public struct Setting: Sendable, Hashable, CustomStringConvertible {
    /// The key path in the config file, e.g. `["epmd", "port"]`.
    public let path: [String]
    /// Environment variables, in order: operators' usual names first, then `COLONY_*`.
    public let environment: [String]
    /// The command-line flag.
    public let flag: String

    /// The dotted key, e.g. `epmd.port`.
    public var key: String { path.joined(separator: ".") }
    public var description: String { key }

    init(_ key: String, environment: [String], flag: String) {
        self.path = key.split(separator: ".").map(String.init)
        self.environment = environment
        self.flag = flag
    }

    /// The node's name: `name@host`, or just `name` (the host is added).
    public static let nodeName = Setting("node.name", environment: ["RELEASE_NODE", "COLONY_NODE"], flag: "--name")
    /// `name` (long names, a full host) or `sname` (short names), as Elixir releases say it.
    public static let distribution = Setting(
        "node.distribution", environment: ["RELEASE_DISTRIBUTION", "COLONY_DISTRIBUTION"], flag: "--distribution")
    /// The host part for a name given without one: a pod's IP in Kubernetes.
    public static let host = Setting("node.host", environment: ["POD_IP", "COLONY_HOST"], flag: "--host")
    /// The cookie; without one, `~/.erlang.cookie`.
    public static let cookie = Setting(
        "node.cookie", environment: ["RELEASE_COOKIE", "COLONY_COOKIE"], flag: "--cookie")
    /// A hidden node (not in other nodes' `nodes()`).
    public static let hidden = Setting("node.hidden", environment: ["COLONY_HIDDEN"], flag: "--hidden")
    /// The EPMD port.
    public static let epmdPort = Setting(
        "epmd.port", environment: ["ERL_EPMD_PORT", "COLONY_EPMD_PORT"], flag: "--epmd-port")
    /// Whether to use EPMD; without it, the node listens on `distribution.port` and reaches peers there.
    public static let epmdEnabled = Setting("epmd.enabled", environment: ["COLONY_EPMD"], flag: "--no-epmd")
    /// The distribution port (0: any).
    public static let distributionPort = Setting(
        "distribution.port", environment: ["COLONY_DIST_PORT"], flag: "--dist-port")
    /// The address to listen on.
    public static let listenAddress = Setting(
        "distribution.listen", environment: ["COLONY_LISTEN"], flag: "--listen")
    /// `net_ticktime` in seconds.
    public static let tickTime = Setting(
        "distribution.tick_time", environment: ["COLONY_TICK_TIME"], flag: "--tick-time")

    /// The port of the Prometheus endpoint (`GET /metrics`); unset: no endpoint.
    public static let metricsPort = Setting(
        "metrics.port", environment: ["COLONY_METRICS_PORT"], flag: "--metrics-port")

    /// The OTLP/HTTP endpoint spans are exported to (e.g. `http://collector:4318/v1/traces`);
    /// unset: no tracing.
    public static let otlpEndpoint = Setting(
        "tracing.otlp_endpoint", environment: ["COLONY_OTLP_ENDPOINT"], flag: "--otlp-endpoint")

    /// Whether the node finds its cluster by libcluster-compatible gossip (UDP multicast).
    public static let gossip = Setting("cluster.gossip", environment: ["COLONY_GOSSIP"], flag: "--gossip")
    /// The gossip port (default 45892).
    public static let gossipPort = Setting(
        "cluster.gossip_port", environment: ["COLONY_GOSSIP_PORT"], flag: "--gossip-port")
    /// The gossip multicast group or broadcast address (default 233.252.1.32).
    public static let gossipAddress = Setting(
        "cluster.gossip_address", environment: ["COLONY_GOSSIP_ADDRESS"], flag: "--gossip-address")
    /// The IPv4 address of the interface to gossip on (default 0.0.0.0: the system's choice).
    public static let gossipInterface = Setting(
        "cluster.gossip_interface", environment: ["COLONY_GOSSIP_INTERFACE"], flag: "--gossip-interface")
    /// The gossip secret: heartbeats are encrypted (AES-256-CBC) and others ignored.
    public static let gossipSecret = Setting(
        "cluster.gossip_secret", environment: ["COLONY_GOSSIP_SECRET"], flag: "--gossip-secret")
    /// A fixed list of nodes to connect to and keep connected, comma-separated.
    public static let epmdHosts = Setting(
        "cluster.epmd_hosts", environment: ["COLONY_EPMD_HOSTS"], flag: "--epmd-hosts")

    /// A DNS name whose A records are the cluster's nodes (`basename@address`), polled.
    public static let dnsPoll = Setting("cluster.dns_poll", environment: ["COLONY_DNS_POLL"], flag: "--dns-poll")
    /// A Kubernetes headless service whose A records are the cluster's pods (as ``dnsPoll``).
    public static let kubernetesDNS = Setting(
        "cluster.kubernetes_dns", environment: ["COLONY_KUBERNETES_DNS"], flag: "--kubernetes-dns")
    /// A DNS name whose SRV records' targets are the cluster's nodes (`basename@target`).
    public static let kubernetesDNSSRV = Setting(
        "cluster.kubernetes_dns_srv", environment: ["COLONY_KUBERNETES_DNS_SRV"], flag: "--kubernetes-dns-srv")
    /// The node name before `@` for nodes found by DNS.
    public static let nodeBasename = Setting(
        "cluster.node_basename", environment: ["COLONY_NODE_BASENAME"], flag: "--node-basename")
    /// The DNS server to ask, `IP` or `IP:PORT` (default: the first of /etc/resolv.conf).
    public static let dnsServer = Setting(
        "cluster.dns_server", environment: ["COLONY_DNS_SERVER"], flag: "--dns-server")
    /// How often DNS is polled, in milliseconds (default 5000).
    public static let pollInterval = Setting(
        "cluster.poll_interval", environment: ["COLONY_POLL_INTERVAL"], flag: "--poll-interval")

    /// A label selector: the cluster's nodes are the pods the Kubernetes API lists with it.
    public static let kubernetesSelector = Setting(
        "cluster.kubernetes_selector", environment: ["COLONY_KUBERNETES_SELECTOR"], flag: "--kubernetes-selector")
    /// The namespace the Kubernetes API is asked about (default: the pod's own).
    public static let kubernetesNamespace = Setting(
        "cluster.kubernetes_namespace", environment: ["COLONY_KUBERNETES_NAMESPACE"], flag: "--kubernetes-namespace")
    /// What the Kubernetes API is asked for: `endpointslices` (default) or `pods`.
    public static let kubernetesSource = Setting(
        "cluster.kubernetes_source", environment: ["COLONY_KUBERNETES_SOURCE"], flag: "--kubernetes-source")

    /// The membership protocol's probe interval in milliseconds (default 1000; 0: no membership
    /// view, no failure detection beyond the tick).
    public static let probeInterval = Setting(
        "cluster.probe_interval", environment: ["COLONY_PROBE_INTERVAL"], flag: "--probe-interval")
    /// How long a suspect member has to answer before it is unreachable, in milliseconds (2000).
    public static let suspicionTimeout = Setting(
        "cluster.suspicion_timeout", environment: ["COLONY_SUSPICION_TIMEOUT"], flag: "--suspicion-timeout")
    /// How many Colony members probe for this node when its direct probe is late (default 3).
    public static let indirectProbes = Setting(
        "cluster.indirect_probes", environment: ["COLONY_INDIRECT_PROBES"], flag: "--indirect-probes")
    /// The split-brain resolver's strategy: `keep-majority`, `static-quorum:N`, `keep-oldest`,
    /// `keep-oldest:down-if-alone`, `keep-referee:NODE[:MINIMUM]` or `down-all` (default: none).
    public static let splitBrain = Setting(
        "cluster.split_brain", environment: ["COLONY_SPLIT_BRAIN"], flag: "--split-brain")
    /// How long a partition must leave the view unchanged before the resolver decides, in
    /// milliseconds (default 5000).
    public static let stableAfter = Setting(
        "cluster.stable_after", environment: ["COLONY_STABLE_AFTER"], flag: "--stable-after")
    /// What the losing side does: `shutdown` (default) or `wait`.
    public static let splitBrainAction = Setting(
        "cluster.split_brain_action", environment: ["COLONY_SPLIT_BRAIN_ACTION"], flag: "--split-brain-action")

    /// The `pg` groups (default scope) the node's `echo` process joins, comma-separated.
    public static let pgJoin = Setting("groups.pg_join", environment: ["COLONY_PG_JOIN"], flag: "--pg-join")
    /// A name the node's `kv` server registers globally under (`{global, Name}`).
    public static let globalName = Setting(
        "groups.global_name", environment: ["COLONY_GLOBAL_NAME"], flag: "--global-name")
    /// OTP's `prevent_overlapping_partitions` for global (`true`, the OTP 25 default, or `false`).
    public static let preventOverlappingPartitions = Setting(
        "groups.prevent_overlapping_partitions", environment: ["COLONY_PREVENT_OVERLAPPING_PARTITIONS"],
        flag: "--prevent-overlapping-partitions")

    /// A directory where the node's replicator keeps every replicated key on disk (SQLite).
    public static let ddataDirectory = Setting("ddata.dir", environment: ["COLONY_DDATA_DIR"], flag: "--ddata-dir")

    /// Tables of the replicated store (`colony_store`) this node holds, comma-separated: the node
    /// runs the store and creates each table unless the group has it.
    public static let storeTables = Setting("store.tables", environment: ["COLONY_STORE"], flag: "--store")
    /// The first voters of a new store group (node names, comma-separated); without them the node
    /// joins the store of a connected node, or starts a group of its own when none answers.
    public static let storeVoters = Setting(
        "store.voters", environment: ["COLONY_STORE_VOTERS"], flag: "--store-voters")
    /// Where the store keeps its Raft log and snapshots.
    public static let storeDirectory = Setting("store.dir", environment: ["COLONY_STORE_DIR"], flag: "--store-dir")
    /// How this node holds its copy: `disc` (a voter, on disk) or `ram` (a non-voting copy).
    public static let storeCopy = Setting("store.copy", environment: ["COLONY_STORE_COPY"], flag: "--store-copy")

    /// The node's certificate (PEM) for distribution over TLS; with ``tlsKeyFile`` and
    /// ``tlsCAFile`` it turns TLS on.
    public static let tlsCertificateFile = Setting(
        "tls.certfile", environment: ["COLONY_TLS_CERTFILE"], flag: "--tls-certfile")
    /// The private key (PEM) of the node's certificate.
    public static let tlsKeyFile = Setting("tls.keyfile", environment: ["COLONY_TLS_KEYFILE"], flag: "--tls-keyfile")
    /// The CA bundle (PEM) that peers' certificates must chain to.
    public static let tlsCAFile = Setting(
        "tls.cacertfile", environment: ["COLONY_TLS_CACERTFILE"], flag: "--tls-cacertfile")
    /// `peer` (default: both sides verify each other's certificate) or `none`.
    public static let tlsVerify = Setting("tls.verify", environment: ["COLONY_TLS_VERIFY"], flag: "--tls-verify")
    /// Whether a peer's certificate must name the host of its node name.
    public static let tlsServerNameCheck = Setting(
        "tls.server_name_check", environment: ["COLONY_TLS_SERVER_NAME_CHECK"], flag: "--tls-server-name-check")

    /// How logs are written: `text` or `json`.
    public static let logFormat = Setting("log.format", environment: ["COLONY_LOG_FORMAT"], flag: "--log-format")
    /// The lowest level logged: trace, debug, info, notice, warning, error or critical.
    public static let logLevel = Setting("log.level", environment: ["COLONY_LOG_LEVEL"], flag: "--log-level")

    /// Every setting, in the order the documentation lists them.
    public static let all: [Setting] = [
        nodeName, distribution, host, cookie, hidden, epmdPort, epmdEnabled, distributionPort, listenAddress, tickTime,
        metricsPort, otlpEndpoint, gossip, gossipPort, gossipAddress, gossipInterface, gossipSecret, epmdHosts,
        dnsPoll, kubernetesDNS, kubernetesDNSSRV, nodeBasename, dnsServer, pollInterval,
        kubernetesSelector, kubernetesNamespace, kubernetesSource, probeInterval, suspicionTimeout, indirectProbes,
        splitBrain, stableAfter, splitBrainAction, pgJoin, globalName, preventOverlappingPartitions, ddataDirectory,
        storeTables, storeVoters, storeDirectory, storeCopy, tlsCertificateFile, tlsKeyFile, tlsCAFile, tlsVerify,
        tlsServerNameCheck, logFormat, logLevel,
    ]
}

/// Where a setting's value came from.
public enum SettingSource: Sendable, Hashable, CustomStringConvertible {
    /// A command-line flag.
    case flag(String)
    /// An environment variable.
    case environment(String)
    /// The config file at this path.
    case file(String)
    /// The built-in default.
    case defaultValue

    public var description: String {
        switch self {
        case .flag(let flag): "flag \(flag)"
        case .environment(let name): "environment variable \(name)"
        case .file(let path): "config file \(path)"
        case .defaultValue: "default"
        }
    }
}

/// A setting with a value it cannot take, or a config file that cannot be read.
public struct SettingsError: Error, Sendable, CustomStringConvertible {
    /// The setting (or `nil` for a file that cannot be read).
    public let setting: Setting?
    /// The value given.
    public let value: String
    /// Where it was given.
    public let source: SettingSource
    /// Why it cannot be used.
    public let reason: String

    public var description: String {
        guard let setting else { return "cannot read \(source): \(reason)" }
        return "invalid \(setting.key) \"\(value)\" (from \(source)): \(reason)"
    }
}
