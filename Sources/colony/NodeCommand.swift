import ArgumentParser
import Colony
import ErlangTerm
import Foundation
import Logging
import ServiceLifecycle

/// Options shared by the commands that start a node.
struct NodeOptions: ParsableArguments {
    @Option(help: "Long node name, name@host.") var name: String?
    @Option(help: "Short node name (the host is added).") var sname: String?
    @Option(help: "The cookie (default: ~/.erlang.cookie).") var cookie: String?
    @Flag(help: "Start a hidden node.") var hidden = false
    @Option(help: "EPMD port (default: ERL_EPMD_PORT or 4369).") var epmdPort: Int?
    @Option(help: "Distribution port (0 = any; required without EPMD).") var distPort: Int = 0
    @Flag(help: "Do not use EPMD: listen on --dist-port and reach peers on that port.") var noEpmd = false
    @Option(help: "net_ticktime in seconds.") var tickTime: Int = 60
    @Option(help: "Address to listen on.") var listen: String = "0.0.0.0"

    func configuration(defaultName: String) -> NodeConfiguration {
        var configuration = NodeConfiguration(name: name ?? sname ?? defaultName, cookie: cookie)
        configuration.hidden = hidden
        if let epmdPort { configuration.epmdPort = epmdPort }
        configuration.distributionPort = distPort
        configuration.usesEPMD = !noEpmd
        configuration.tickTime = .seconds(tickTime)
        configuration.listenAddress = listen
        return configuration
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
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "colony")
        let peers = connect
        // The root supervision tree: echo, then kv; stopped in reverse order on SIGTERM/SIGINT.
        let application = NodeApplication(
            configuration: options.configuration(defaultName: "colony"),
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
                say("node \(node.name) started (port \(node.distributionPort ?? 0))")
                for peer in peers {
                    let result = await node.connect(to: Atom(peer))
                    say("connect \(peer): \(result)")
                }
            },
            children: { _ in [Self.echo, Self.keyValue] })
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: application)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        say("stopped")
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
        var configuration = options.configuration(defaultName: defaultName)
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
