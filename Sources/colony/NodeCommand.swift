import ArgumentParser
import Colony
import ColonyCluster
import ColonyConfiguration
import ColonyGroups
import ColonyLogging
import ColonyMetrics
import ColonyTLS
import ColonyTelemetry
import ErlangTerm
import Foundation
import Logging
import ServiceLifecycle

import struct ColonyData.DurableSettings
import class ColonyData.Replicator
import struct ColonyData.ReplicatorSettings

/// Options shared by the commands that start a node. Each setting can also come from the
/// environment or a config file (`ColonySettings`): flags beat the environment, which beats the
/// file, which beats the defaults.
struct NodeOptions: ParsableArguments {
    @Option(help: "Node name, name@host or name (RELEASE_NODE).") var name: String?
    @Option(help: "Short node name (the host is added).") var sname: String?
    @Option(help: "name or sname: how a name without a host is completed (RELEASE_DISTRIBUTION).")
    var distribution: String?
    @Option(help: "Host for a name without one, e.g. the pod's IP (POD_IP).") var host: String?
    @Option(help: "The cookie (RELEASE_COOKIE; default: ~/.erlang.cookie).") var cookie: String?
    @Flag(help: "Start a hidden node (COLONY_HIDDEN).") var hidden = false
    @Option(help: "EPMD port (ERL_EPMD_PORT; default 4369).") var epmdPort: String?
    @Option(help: "Distribution port, 0 = any (COLONY_DIST_PORT; required without EPMD).") var distPort: String?
    @Flag(help: "Do not use EPMD: listen on --dist-port and reach peers on that port (COLONY_EPMD=false).")
    var noEpmd = false
    @Option(help: "net_ticktime in seconds (COLONY_TICK_TIME; default 60).") var tickTime: String?
    @Option(help: "Address to listen on (COLONY_LISTEN; default 0.0.0.0).") var listen: String?
    @Option(help: "A JSON config file (COLONY_CONFIG).") var config: String?
    @Option(help: "Serve Prometheus metrics on this port at /metrics (COLONY_METRICS_PORT).") var metricsPort: String?
    @Option(help: "Export spans over OTLP/HTTP to this URL (COLONY_OTLP_ENDPOINT).") var otlpEndpoint: String?
    @Flag(help: "Find the cluster by libcluster-compatible UDP gossip (COLONY_GOSSIP).") var gossip = false
    @Option(help: "Gossip port (COLONY_GOSSIP_PORT; default 45892).") var gossipPort: String?
    @Option(help: "Gossip multicast group or broadcast address (default 233.252.1.32).") var gossipAddress: String?
    @Option(help: "IPv4 address of the interface to gossip on (default 0.0.0.0).") var gossipInterface: String?
    @Option(help: "Gossip secret: encrypted heartbeats (COLONY_GOSSIP_SECRET).") var gossipSecret: String?
    @Option(help: "Nodes to keep connected, comma-separated (COLONY_EPMD_HOSTS).") var epmdHosts: String?
    @Option(help: "Find nodes as the A records of this DNS name (COLONY_DNS_POLL).") var dnsPoll: String?
    @Option(help: "Find pods as the A records of this headless service.") var kubernetesDNS: String?
    @Option(help: "Find nodes as the SRV targets of this DNS name.") var kubernetesDNSSRV: String?
    @Option(help: "The node name before @ of nodes found by DNS.") var nodeBasename: String?
    @Option(help: "The DNS server, IP or IP:PORT (default: /etc/resolv.conf).") var dnsServer: String?
    @Option(help: "DNS and Kubernetes API poll interval in milliseconds (default 5000).") var pollInterval: String?
    @Option(help: "Find pods with this label selector in the Kubernetes API.") var kubernetesSelector: String?
    @Option(help: "The namespace to ask the Kubernetes API about (default: the pod's).") var kubernetesNamespace:
        String?
    @Option(help: "endpointslices (default) or pods.") var kubernetesSource: String?
    @Option(help: "Membership probe interval in milliseconds, 0 = off (COLONY_PROBE_INTERVAL; default 1000).")
    var probeInterval: String?
    @Option(help: "Milliseconds a suspect member has to answer (default 2000).") var suspicionTimeout: String?
    @Option(help: "Members asked to probe for this node when a direct probe is late (default 3).")
    var indirectProbes: String?
    @Option(
        help:
            "Split-brain strategy: keep-majority, static-quorum:N, keep-oldest[:down-if-alone], keep-referee:NODE[:MIN], down-all."
    )
    var splitBrain: String?
    @Option(help: "Milliseconds a partition must be stable before the resolver decides (default 5000).")
    var stableAfter: String?
    @Option(help: "What the losing side does: shutdown (exit status 3) or wait.") var splitBrainAction: String?
    @Option(help: "A pg group (default scope) the echo process joins (repeatable; COLONY_PG_JOIN, comma-separated).")
    var pgJoin: [String] = []
    @Option(help: "A name the kv server registers globally under ({global, Name}; COLONY_GLOBAL_NAME).")
    var globalName: String?
    @Option(help: "Global's prevent_overlapping_partitions: true (default, as OTP 25) or false.")
    var preventOverlappingPartitions: String?
    @Option(
        help: "A directory where replicated data (colony_ddata) is kept on disk across restarts (COLONY_DDATA_DIR).")
    var ddataDir: String?
    @Option(help: "Tables of the replicated store this node holds, comma-separated (COLONY_STORE).")
    var store: String?
    @Option(help: "First voters of a new store group, comma-separated node names (COLONY_STORE_VOTERS).")
    var storeVoters: String?
    @Option(help: "Where the store keeps its Raft log (COLONY_STORE_DIR; default colony-store/NODE).")
    var storeDir: String?
    @Option(help: "disc (a voter, on disk; default) or ram (a non-voting copy) (COLONY_STORE_COPY).")
    var storeCopy: String?
    @Option(help: "Distribution over TLS: this node's certificate, PEM (COLONY_TLS_CERTFILE).")
    var tlsCertfile: String?
    @Option(help: "The private key of --tls-certfile, PEM (COLONY_TLS_KEYFILE).") var tlsKeyfile: String?
    @Option(help: "The CA bundle peers' certificates must chain to, PEM (COLONY_TLS_CACERTFILE).")
    var tlsCacertfile: String?
    @Option(help: "peer (default: both sides verify) or none (COLONY_TLS_VERIFY).") var tlsVerify: String?
    @Flag(help: "A peer's certificate must name the host of its node name (COLONY_TLS_SERVER_NAME_CHECK).")
    var tlsServerNameCheck = false
    @Option(help: "Log format: text or json (COLONY_LOG_FORMAT).") var logFormat: String?
    @Option(help: "Lowest level logged (COLONY_LOG_LEVEL; default info).") var logLevel: String?

    /// The flags given, by setting flag.
    var given: [String: String] {
        var flags: [String: String] = [:]
        if let name = name ?? sname { flags[Setting.nodeName.flag] = name }
        if sname != nil, distribution == nil { flags[Setting.distribution.flag] = "sname" }
        if let distribution { flags[Setting.distribution.flag] = distribution }
        if let host { flags[Setting.host.flag] = host }
        if let cookie { flags[Setting.cookie.flag] = cookie }
        if hidden { flags[Setting.hidden.flag] = "true" }
        if let epmdPort { flags[Setting.epmdPort.flag] = epmdPort }
        if let distPort { flags[Setting.distributionPort.flag] = distPort }
        if noEpmd { flags[Setting.epmdEnabled.flag] = "true" }
        if let tickTime { flags[Setting.tickTime.flag] = tickTime }
        if let listen { flags[Setting.listenAddress.flag] = listen }
        if let metricsPort { flags[Setting.metricsPort.flag] = metricsPort }
        if let otlpEndpoint { flags[Setting.otlpEndpoint.flag] = otlpEndpoint }
        if gossip { flags[Setting.gossip.flag] = "true" }
        if let gossipPort { flags[Setting.gossipPort.flag] = gossipPort }
        if let gossipAddress { flags[Setting.gossipAddress.flag] = gossipAddress }
        if let gossipInterface { flags[Setting.gossipInterface.flag] = gossipInterface }
        if let gossipSecret { flags[Setting.gossipSecret.flag] = gossipSecret }
        if let epmdHosts { flags[Setting.epmdHosts.flag] = epmdHosts }
        if let dnsPoll { flags[Setting.dnsPoll.flag] = dnsPoll }
        if let kubernetesDNS { flags[Setting.kubernetesDNS.flag] = kubernetesDNS }
        if let kubernetesDNSSRV { flags[Setting.kubernetesDNSSRV.flag] = kubernetesDNSSRV }
        if let nodeBasename { flags[Setting.nodeBasename.flag] = nodeBasename }
        if let dnsServer { flags[Setting.dnsServer.flag] = dnsServer }
        if let pollInterval { flags[Setting.pollInterval.flag] = pollInterval }
        if let kubernetesSelector { flags[Setting.kubernetesSelector.flag] = kubernetesSelector }
        if let kubernetesNamespace { flags[Setting.kubernetesNamespace.flag] = kubernetesNamespace }
        if let kubernetesSource { flags[Setting.kubernetesSource.flag] = kubernetesSource }
        if let probeInterval { flags[Setting.probeInterval.flag] = probeInterval }
        if let suspicionTimeout { flags[Setting.suspicionTimeout.flag] = suspicionTimeout }
        if let indirectProbes { flags[Setting.indirectProbes.flag] = indirectProbes }
        if let splitBrain { flags[Setting.splitBrain.flag] = splitBrain }
        if let stableAfter { flags[Setting.stableAfter.flag] = stableAfter }
        if let splitBrainAction { flags[Setting.splitBrainAction.flag] = splitBrainAction }
        if !pgJoin.isEmpty { flags[Setting.pgJoin.flag] = pgJoin.joined(separator: ",") }
        if let globalName { flags[Setting.globalName.flag] = globalName }
        if let ddataDir { flags[Setting.ddataDirectory.flag] = ddataDir }
        if let preventOverlappingPartitions {
            flags[Setting.preventOverlappingPartitions.flag] = preventOverlappingPartitions
        }
        if let store { flags[Setting.storeTables.flag] = store }
        if let storeVoters { flags[Setting.storeVoters.flag] = storeVoters }
        if let storeDir { flags[Setting.storeDirectory.flag] = storeDir }
        if let storeCopy { flags[Setting.storeCopy.flag] = storeCopy }
        if let tlsCertfile { flags[Setting.tlsCertificateFile.flag] = tlsCertfile }
        if let tlsKeyfile { flags[Setting.tlsKeyFile.flag] = tlsKeyfile }
        if let tlsCacertfile { flags[Setting.tlsCAFile.flag] = tlsCacertfile }
        if let tlsVerify { flags[Setting.tlsVerify.flag] = tlsVerify }
        if tlsServerNameCheck { flags[Setting.tlsServerNameCheck.flag] = "true" }
        if let logFormat { flags[Setting.logFormat.flag] = logFormat }
        if let logLevel { flags[Setting.logLevel.flag] = logLevel }
        return flags
    }

    /// The node's settings from flags, environment, config file and defaults; an invalid value
    /// stops the command with a message naming it (exit status 2).
    func settings(defaultName: String) async throws -> ColonySettings {
        do {
            return try await ColonySettings.load(
                flags: given, environment: ProcessInfo.processInfo.environment, configFile: config,
                defaultName: defaultName)
        } catch {
            FileHandle.standardError.write(Data("colony: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// The node's configuration (see ``settings(defaultName:)``), with its TLS transport when TLS
    /// is set.
    func configuration(defaultName: String) async throws -> NodeConfiguration {
        try Self.configuration(of: await settings(defaultName: defaultName))
    }

    /// `settings`' configuration with its TLS transport; a certificate file that cannot be used
    /// stops the command with a message naming it (exit status 2).
    static func configuration(of settings: ColonySettings) throws -> NodeConfiguration {
        do {
            return try settings.nodeConfigurationWithTransport()
        } catch {
            FileHandle.standardError.write(Data("colony: TLS: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// `colony node`: runs a node until SIGTERM or SIGINT, with an `echo` process and a `kv` server.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node", abstract: "Run a node with an echo process and a kv server until SIGTERM/SIGINT.")

    @OptionGroup var options: NodeOptions
    @Option(help: "Nodes to connect to once started (repeatable).") var connect: [String] = []
    @Flag(help: "Run processes on the event loop that runs the node's connections (lower remote latency, one core).")
    var eventLoopExecution = false

    func run() async throws {
        let settings = try await options.settings(defaultName: "colony")
        LogFormat(rawValue: settings.logFormat)?.bootstrap(
            level: Logger.Level(rawValue: settings.logLevel) ?? .info, node: settings.nodeName)
        let logger = Logger(label: "colony")
        let peers = connect
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let port = settings.metricsPort {
            // Prometheus metrics on /metrics, bootstrapped before the node makes its first metric.
            let registry = ColonyMetrics.bootstrapPrometheus()
            let host = settings.listenAddress
            services.append(
                .init(
                    service: ColonyMetrics.endpoint(registry: registry, host: host, port: port) { bound in
                        say("metrics on http://\(host):\(bound)/metrics")
                    }))
        }
        var configuration = try NodeOptions.configuration(of: settings)
        let reloader = (configuration.transport as? TLSTransport).map { TLSReloader(transport: $0) }
        defer { reloader?.stop() }
        if let endpoint = settings.otlpEndpoint {
            // Spans of calls and rpc, exported in batches by a service beside the node.
            let otlp = try ColonyOTLP.tracing(serviceName: settings.nodeName, endpoint: endpoint)
            configuration.tracer = otlp.tracer
            services.append(.init(service: otlp.service))
        }
        // The root supervision tree: echo, then kv; stopped in reverse order on SIGTERM/SIGINT.
        let application = NodeApplication(
            configuration: configuration,
            execution: eventLoopExecution ? .eventLoop : .scheduler, logger: logger,
            started: { node, _ in
                let events = node.monitorNodes()
                Task {
                    for await event in events {
                        switch event {
                        case .nodeUp(let peer, let hidden): say("nodeup \(peer)\(hidden ? " hidden" : "")")
                        case .nodeDown(let peer, _, let reason): say("nodedown \(peer) \(reason)")
                        }
                    }
                }
                for topology in ClusterTopologies.make(settings.cluster, node: node) {
                    // Each topology runs until the node stops (its event stream ends).
                    let running = Task { try? await topology.run() }
                    let ended = node.monitorNodes()
                    Task {
                        for await _ in ended {}
                        running.cancel()
                    }
                    say("discovery: \(topology.name)")
                }
                ClusterHealth.start(settings.cluster, node: node)
                // The default pg scope, a member of the same scope on every Erlang and Colony node.
                do {
                    let groups = try await ProcessGroups.start(on: node)
                    if let echo = node.whereis("echo") {
                        for group in settings.cluster.pgJoin {
                            try await groups.join(.atom(Atom(group)), [echo])
                            say("pg: echo joined \(group)")
                        }
                    }
                } catch {
                    say("pg: \(error)")
                }
                // Global names and locks: a full member of global's protocol with every node.
                do {
                    let global = try await GlobalNames.start(
                        on: node,
                        settings: GlobalSettings(
                            preventOverlappingPartitions: settings.cluster.preventOverlappingPartitions))
                    if let name = settings.cluster.globalName, let kv = node.whereis("kv") {
                        let registered = await global.register(.atom(Atom(name)), kv)
                        say("global: kv \(registered ? "registered" : "not registered (name taken)") as \(name)")
                    }
                } catch {
                    say("global: \(error)")
                }
                // Replicated data: CRDT values shared with every Colony node's replicator.
                do {
                    var ddata = ReplicatorSettings()
                    if let directory = settings.cluster.ddataDirectory {
                        ddata.durable = DurableSettings(path: directory + "/ddata.sqlite")
                    }
                    _ = try await Replicator.start(on: node, settings: ddata)
                } catch {
                    say("ddata: \(error)")
                }
                if !settings.cluster.storeTables.isEmpty {
                    await StoreStartup.start(settings.cluster, node: node, peers: peers.map { Atom($0) })
                }
                // Said once pg, global and the replicator answer: whoever waits for this line
                // (scripts, tests) can call colony_ddata, colony_pg and global at once.
                say("node \(node.name) started (port \(node.distributionPort ?? 0))")
                for peer in peers {
                    let result = await node.connect(to: Atom(peer))
                    say("connect \(peer): \(result)")
                }
            },
            children: { _ in [Self.echo, Self.keyValue] })
        let group = ServiceGroup(
            configuration: .init(
                services: services + [.init(service: application)], gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        say("stopped")
        if ClusterHealth.stoppedBySplitBrain.load(ordering: .relaxed) { throw ExitCode(3) }
    }

    /// `echo`: answers `{From, Msg}` with `{self(), Msg}`.
    static let echo = ChildSpec(id: "echo") { node, supervisor in
        let pid = node.spawn(link: supervisor) { process in
            while true {
                let message = try await process.receive()
                if case .tuple(let t) = message, t.count == 2, case .pid(let from) = t[0] {
                    await process.send(.tuple([.pid(process.pid), t[1]]), to: from)
                }
            }
        }
        // Registered before the supervisor goes on, so the name is there once the node says started.
        node.register("echo", pid: pid)
        return pid
    }

    /// `kv`: the guide's GlobalStateManager protocol, for any OTP node: `GenServer.call({:kv, node}, ...)`.
    static let keyValue = ChildSpec(id: "kv") { node, supervisor in
        try await node.startServer(KeyValueServer(), name: .local("kv"), link: supervisor)
    }
}

/// `colony ping NODE`: like `net_adm:ping/1`; prints pong or pang, exits 0 or 1.
struct PingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ping", abstract: "Ping a node (net_adm:ping).")

    @Argument(help: "The node to ping, name@host.") var target: String
    @OptionGroup var options: NodeOptions

    func run() async throws {
        // Long and short names do not mix: a long-named target gets a long-named pinger.
        let targetHost = target.split(separator: "@").last.map(String.init) ?? ""
        let defaultName = "colony_ping_\(getpid())" + (targetHost.contains(".") ? "@127.0.0.1" : "")
        var configuration = try await options.configuration(defaultName: defaultName)
        configuration.hidden = true
        configuration.startsEPMDServer = false
        let node = try await Node.start(configuration)
        let pong = await node.ping(Atom(target))
        say(pong ? "pong" : "pang")
        await node.stop()
        if !pong { throw ExitCode(1) }
    }
}

/// `colony names`: the names registered with EPMD on this host.
struct NamesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "names", abstract: "List EPMD names (epmd -names).")

    @Option(help: "EPMD port.") var epmdPort: Int?
    @Option(help: "EPMD host.") var host: String = "127.0.0.1"

    func run() async throws {
        let port = epmdPort ?? ProcessInfo.processInfo.environment["ERL_EPMD_PORT"].flatMap(Int.init) ?? 4369
        for entry in try await Node.epmdNames(host: host, port: port) {
            say("name \(entry.name) at port \(entry.port)")
        }
    }
}

/// Prints a line unbuffered, so that a supervising process (or test) sees it at once.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
