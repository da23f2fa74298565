import ArgumentParser
import Colony
import ColonyConfiguration
import ErlangTerm
import Foundation
import Logging

/// `colony health`: what a Kubernetes probe runs. The node answers on the distribution protocol
/// (it is up and reachable under its name), and its root supervisor runs every one of its
/// children. Exit status 0 when both hold, 1 otherwise.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Check a node: it answers by name, and its root supervisor runs all its children (0 = healthy).")

    @Argument(help: "The node to check (default: the node these settings describe).") var target: String?
    @OptionGroup var options: NodeOptions
    @Option(help: "The root supervisor's registered name.") var rootName: String = "colony_root_sup"

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .critical
            return handler
        }
        let settings: NodeConfiguration = try await options.configuration(defaultName: "colony")
        let target = Atom(self.target ?? settings.name)
        let host = target.name.split(separator: "@").last.map(String.init) ?? "localhost"
        var configuration = NodeConfiguration(name: "colony_health_\(getpid())@\(host)", cookie: settings.cookie)
        configuration.hidden = true
        configuration.epmdPort = settings.epmdPort
        configuration.usesEPMD = settings.usesEPMD
        configuration.transport = settings.transport
        configuration.startsEPMDServer = false
        if !settings.usesEPMD {
            // Dial the cluster's fixed port; listen anywhere (the node itself holds that port).
            configuration.peerDistributionPort = settings.distributionPort
            configuration.distributionPort = 0
        }
        configuration.listenAddress = "127.0.0.1"
        configuration.setupTimeout = .seconds(3)
        let node = try await Node.start(configuration)
        let verdict = await Self.check(target, root: Atom(rootName), from: node)
        await node.stop()
        say(verdict.line)
        if !verdict.healthy { throw ExitCode(1) }
    }

    /// Pings `target` and counts its root supervisor's children.
    static func check(_ target: Atom, root name: Atom, from node: Node) async -> (healthy: Bool, line: String) {
        guard await node.ping(target) else { return (false, "unhealthy: \(target) does not answer") }
        let root = SupervisorRef(.remote(name, node: target), on: node, timeout: .seconds(3))
        do {
            let counts = try await root.countChildren()
            guard counts.active == counts.specs else {
                return (false, "unhealthy: \(target)'s \(name) runs \(counts.active) of \(counts.specs) children")
            }
            return (true, "healthy: \(target), \(name) runs \(counts.active) of \(counts.specs) children")
        } catch {
            return (false, "unhealthy: \(target)'s \(name) does not answer: \(error)")
        }
    }
}
