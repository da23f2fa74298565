import ArgumentParser
import Colony
import ColonyDashboard
import ColonyLogging
import ErlangTerm
import Foundation
import Logging

/// `colony dashboard`: a node that watches the cluster and serves the live dashboard.
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Join a cluster and serve a live web dashboard of it (nodes, processes, supervisors, events).")

    @OptionGroup var options: NodeOptions
    @Option(help: "Nodes to connect to (repeatable); the dashboard then finds the rest.") var connect: [String] = []
    @Option(help: "The dashboard's HTTP port (0: any free port).") var port = 4000
    @Option(help: "The address the dashboard listens on.") var httpHost = "127.0.0.1"

    func run() async throws {
        let settings = try await options.settings(defaultName: "colony_dashboard")
        LogFormat(rawValue: settings.logFormat)?.bootstrap(
            level: Logger.Level(rawValue: settings.logLevel) ?? .info, node: settings.nodeName)
        let node = try await Node.start(NodeOptions.configuration(of: settings))
        for peer in connect {
            say("connect \(peer): \(await node.connect(to: Atom(peer)))")
        }
        let collector = DashboardCollector.start(on: node)
        let server = try await DashboardServer.start(collector: collector, host: httpHost, port: port)
        say("dashboard of \(node.name) on \(server.url)")
        // Until SIGINT or SIGTERM.
        let stopped = AsyncStream<Int32>.makeStream()
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stopped.continuation.yield(number) }
            source.resume()
            return source
        }
        for await _ in stopped.stream { break }
        sources.forEach { $0.cancel() }
        await server.stop()
        await node.stop()
        say("stopped")
    }
}
