import ArgumentParser
import Colony
import ColonyCluster
import ColonyDemo
import ColonyTLS
import Dispatch
import ErlangTerm
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// `colony demo` (and `colony` with no arguments): a three-node cluster on this machine, walked
/// through the seed guide's scenarios, each one checked.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start three Colony nodes on this machine and walk through the guide's scenarios, each checked.")

    @Flag(help: "Exit when the scenarios are done: status 0 only if every one passed.")
    var noWait = false

    @Flag(help: "Add an Elixir node (when `elixir` is installed) to the messaging and rpc scenarios.")
    var elixir = false

    @Option(help: "The dashboard's port (0: any free port; a taken one falls back to any).")
    var dashboardPort = 4000

    @Flag(help: "Do not serve the dashboard.")
    var noDashboard = false

    @Flag(help: "Run every node's distribution over TLS, with a CA and certificates made for the run.")
    var tls = false

    @Option(help: .hidden) var failScenario: String?

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .error
            return handler
        }
        var options = DemoRunner.Options(executable: try Self.executable())
        options.failing = failScenario
        options.dashboardPort = noDashboard ? nil : dashboardPort
        options.tls = tls
        if elixir {
            if let path = Self.onPath("elixir") {
                options.elixir = path
            } else {
                say("elixir is not installed: the demo runs without the Elixir node")
            }
        }
        let cluster = Mutex<DemoCluster?>(nil)
        // Ctrl-C or SIGTERM: every member goes with the demo, killed by its PID.
        let signals = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                cluster.withLock { $0?.killAllNow() }
                say("\nstopped: every member node was killed")
                Foundation.exit(130)
            }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }

        let session = try await DemoRunner(options: options, say: say).run { started in
            cluster.withLock { $0 = started }
        }
        if noWait || !session.passed {
            await session.stop()
            if !session.passed { throw ExitCode(1) }
            return
        }
        let names = options.members.map(\.name).joined(separator: ", ")
        say("The cluster keeps running: \(names) and \(session.node.name), cookie \(session.cluster.cookie).")
        say(
            "Join it from Elixir: ERL_EPMD_PORT=\(session.cluster.epmdPort) iex --name you@127.0.0.1 --cookie \(session.cluster.cookie)"
                + (session.cluster.tls == nil ? "" : " --erl \"\(session.cluster.erlangDistributionFlags)\"")
        )
        if let dashboard = session.dashboard { say("Dashboard: \(dashboard.url)") }
        say("Press Ctrl-C to stop it.")
        while true { try await Task.sleep(for: .seconds(3600)) }
    }

    /// The executable `name` on `PATH`, if there is one.
    static func onPath(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").lazy.map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// This executable's absolute path: the members are started from it.
    static func executable() throws -> URL {
        let path = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        return URL(fileURLWithPath: path)
    }
}

/// `colony demo-member`: one member node of `colony demo`, started by it.
struct DemoMemberCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-member", abstract: "A member node of `colony demo` (the demo starts it).",
        shouldDisplay: false)

    @Option var name: String
    @Option var cookie: String
    @Option var epmdPort: Int
    @Option(help: "Stop when this process (the demo) is gone.") var parent: Int32?
    @Option(help: "Find the other members by gossip on 127.0.0.1 at this UDP port.") var gossipPort: Int?
    @Option(help: "The voters of the demo's replicated store, comma-separated.") var storeVoters: String?
    @Option(help: "Where this member keeps its store replica.") var storeDir: String?
    @Option(help: "Distribution over TLS: the certificate.") var tlsCertfile: String?
    @Option(help: "Distribution over TLS: the key.") var tlsKeyfile: String?
    @Option(help: "Distribution over TLS: the CA bundle.") var tlsCacertfile: String?

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            let level = ProcessInfo.processInfo.environment["COLONY_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
            handler.logLevel = level ?? .warning
            return handler
        }
        var configuration = NodeConfiguration(name: name, cookie: cookie)
        configuration.epmdPort = epmdPort
        configuration.startsEPMDServer = false
        configuration.listenAddress = "127.0.0.1"
        if let tlsCertfile, let tlsKeyfile, let tlsCacertfile {
            var tls = TLSSettings(certificateFile: tlsCertfile, keyFile: tlsKeyfile, caFile: tlsCacertfile)
            tls.hostCheck = .all
            configuration.transport = try TLSTransport(settings: tls)
        }
        let node = try await Node.start(configuration)
        DemoMember.registerFunctions(on: node)
        let store = storeVoters.map { voters in
            (
                voters: voters.split(separator: ",").map { Atom(String($0)) },
                directory: storeDir ?? "colony-store/\(name)"
            )
        }
        try await DemoMember.startServices(on: node, store: store)
        var discovery: Task<Void, Never>?
        if let gossipPort {
            // libcluster-format gossip on loopback, encrypted with the demo's cookie, so that two
            // demos on one machine ignore each other.
            var options = GossipStrategy.Options()
            options.port = gossipPort
            options.interface = "127.0.0.1"
            options.secret = cookie
            options.maximumInterval = .seconds(1)
            let topology = ClusterTopology(node: node, strategy: GossipStrategy(options: options))
            discovery = Task { try? await topology.run() }
        }
        // The membership view, partitions and a keep-majority resolver that waits when it loses,
        // tuned to find a frozen member within a few seconds.
        var settings = MembershipSettings()
        settings.probeInterval = .milliseconds(500)
        settings.probeTimeout = .milliseconds(200)
        settings.suspicionTimeout = .milliseconds(1500)
        let membership = ClusterMembership(node: node, settings: settings)
        let health: [any Service] = [
            membership, PartitionHandler(membership: membership),
            SplitBrainResolver(
                membership: membership, strategy: .keepMajority, stableAfter: .milliseconds(1500), action: .wait),
        ]
        let running = health.map { service in Task { try? await service.run() } }
        say("ready \(node.name)")
        while true {
            try await Task.sleep(for: .milliseconds(500))
            if let parent, getppid() != parent {
                for task in running { task.cancel() }
                discovery?.cancel()
                await node.stop()
                return
            }
        }
    }
}
