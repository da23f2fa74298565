public import Colony
public import ColonyDashboard
import ColonyGroups
public import ErlangTerm
public import Foundation

/// Runs the demo: starts the member nodes and this process's own node, walks through the
/// scenarios with live progress, and reports what passed.
public struct DemoRunner: Sendable {
    /// The demo's settings.
    public struct Options: Sendable {
        /// The `colony` executable, which the members are started from.
        public var executable: URL
        /// The member nodes' names.
        public var members: [Atom] = ["demo_a@127.0.0.1", "demo_b@127.0.0.1", "demo_c@127.0.0.1"]
        /// A scenario to fail on purpose, to see the failure path.
        public var failing: String?
        /// The scenarios to run.
        public var scenarios: [DemoScenario] = DemoScenario.all
        /// The `elixir` executable, to add an Elixir node to the messaging and rpc scenarios.
        public var elixir: URL?
        /// The dashboard's port (0: any free one; a taken port falls back to any), or `nil` for
        /// no dashboard.
        public var dashboardPort: Int?
        /// Whether every node speaks distribution over TLS (with certificates made for the run).
        public var tls = false

        /// Options for a demo whose members run `executable`.
        public init(executable: URL) {
            self.executable = executable
        }
    }

    /// What one scenario did.
    public struct Outcome: Sendable {
        /// The scenario's name.
        public let scenario: String
        /// Whether every check held.
        public let passed: Bool
        /// What it saw, or why it failed.
        public let detail: String
        /// How long it took.
        public let duration: Duration
    }

    /// A demo that is running: its cluster stays up until ``stop()``.
    public struct Session: Sendable {
        /// The demo's own node.
        public let node: Node
        /// The member nodes' OS processes.
        public let cluster: DemoCluster
        /// What each scenario run did, in order.
        public let outcomes: [Outcome]
        /// The dashboard, when one was asked for.
        public let dashboard: DashboardServer?

        /// Whether every scenario passed.
        public var passed: Bool { outcomes.allSatisfy(\.passed) }

        /// Stops the demo's node and every member.
        public func stop() async {
            await dashboard?.stop()
            await node.stop()
            await cluster.stopAll()
        }
    }

    /// The demo's settings.
    public let options: Options
    let say: @Sendable (String) -> Void

    /// A runner that prints its progress through `say`.
    public init(options: Options, say: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.say = say
    }

    /// Starts the cluster and runs every scenario; stops at the first failure.
    public func run(onClusterStarted: @Sendable (DemoCluster) -> Void = { _ in }) async throws -> Session {
        let cluster = try await DemoCluster.start(executable: options.executable, tls: options.tls)
        onClusterStarted(cluster)
        say("Colony demo: \(options.members.count) nodes as OS processes on this machine")
        say("  EPMD on 127.0.0.1:\(cluster.epmdPort), cookie \(cluster.cookie) (generated)")
        if cluster.tls != nil {
            say("  distribution over TLS, both sides verified; CA and certificates in \(cluster.tlsDirectory.path)")
        }
        let node: Node
        var elixirNode: Atom?
        var dashboard: DashboardServer?
        cluster.setStoreVoters(options.members)
        do {
            for member in options.members {
                let pid = try await cluster.startMember(member)
                say("  started \(member) (OS pid \(pid))")
            }
            if let elixir = options.elixir {
                let name = Atom(DemoElixir.name)
                let pid = try await cluster.startElixir(name, elixir: elixir)
                elixirNode = name
                say("  started \(name), an Elixir node (OS pid \(pid))")
            }
            var configuration = NodeConfiguration(name: "demo@127.0.0.1", cookie: cluster.cookie)
            configuration.epmdPort = cluster.epmdPort
            configuration.startsEPMDServer = false
            configuration.listenAddress = "127.0.0.1"
            try cluster.configure(&configuration)
            node = try await Node.start(configuration)
            // Global names before any connection, as OTP's global runs from boot: a peer syncs
            // its names with a node whose name server was there at nodeup.
            _ = try await GlobalNames.start(on: node)
            if let port = options.dashboardPort {
                do {
                    dashboard = try await Self.startDashboard(on: node, port: port)
                } catch {
                    await node.stop()
                    throw error
                }
            }
        } catch {
            await cluster.stopAll()
            throw error
        }
        DemoMember.registerFunctions(on: node)
        let context = DemoContext(
            node: node, members: options.members, elixir: elixirNode, cluster: cluster, events: DemoEvents(node),
            failing: options.failing)
        say("  this process is \(node.name)")
        if let dashboard { say("  dashboard: \(dashboard.url)") }
        say("")
        var outcomes: [Outcome] = []
        for (index, scenario) in options.scenarios.enumerated() {
            let label = "[\(index + 1)/\(options.scenarios.count)] \(scenario.name): \(scenario.title)"
            say(label)
            let start = ContinuousClock.now
            do {
                let detail = try await scenario.body(context)
                let outcome = Outcome(
                    scenario: scenario.name, passed: true, detail: detail, duration: ContinuousClock.now - start)
                outcomes.append(outcome)
                say("      ✔ \(detail) (\(Self.milliseconds(outcome.duration)) ms)")
            } catch {
                let outcome = Outcome(
                    scenario: scenario.name, passed: false, detail: "\(error)", duration: ContinuousClock.now - start)
                outcomes.append(outcome)
                say("      ✘ \(error)")
                break
            }
        }
        say("")
        let passed = outcomes.filter(\.passed).count
        if passed == options.scenarios.count {
            say("All \(passed) scenarios passed.")
        } else if let failed = outcomes.first(where: { !$0.passed }) {
            say(
                "FAILED: scenario \(failed.scenario): \(failed.detail) (\(passed) of \(options.scenarios.count) passed)"
            )
        }
        return Session(node: node, cluster: cluster, outcomes: outcomes, dashboard: dashboard)
    }

    /// The dashboard on `port`, or on any free port when that one is taken.
    static func startDashboard(on node: Node, port: Int) async throws -> DashboardServer {
        let collector = DashboardCollector.start(on: node)
        do {
            return try await DashboardServer.start(collector: collector, port: port)
        } catch  where port != 0 {
            return try await DashboardServer.start(collector: collector, port: 0)
        }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
