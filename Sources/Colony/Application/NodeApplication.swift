public import ErlangTerm
public import Logging
import NIOPosix
public import ServiceLifecycle

/// A node and its root supervision tree as one swift-service-lifecycle `Service` (the part of an
/// OTP application that starts a top supervisor with the node).
///
/// `run()` starts the node, then the root supervisor with the children `children(node)` returns,
/// in order. On graceful shutdown (SIGTERM or SIGINT through a `ServiceGroup`) it stops the root
/// supervisor — which stops its children in reverse start order, each within its shutdown — and
/// then the node, closing its connections. If the root supervisor itself gives up (its restart
/// intensity exceeded), `run()` throws ``NodeApplicationError/rootSupervisorExited(_:)``: the
/// service group then ends the program with an error, and restarting it belongs to the platform
/// (systemd, Kubernetes), as restarting a crashed BEAM node does.
///
/// ```swift
/// let app = NodeApplication(configuration: configuration, logger: logger) { node in
///     [ChildSpec(id: "kv") { node, sup in try await node.startServer(KeyValueServer(), name: .local("kv"), link: sup) }]
/// }
/// try await ServiceGroup(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
/// ```
public struct NodeApplication: Service {
    /// The node to start.
    public let configuration: NodeConfiguration
    /// The root supervisor's strategy.
    public let strategy: SupervisorStrategy
    /// The root supervisor's restart intensity.
    public let maxRestarts: Int
    /// The root supervisor's intensity window, in seconds.
    public let maxSeconds: Int
    /// The root supervisor's registered name.
    public let rootName: Atom
    /// Where the node's processes run (see ``ProcessExecution``); `.eventLoop` gets a node-owned
    /// one-thread event loop that also runs the node's connections.
    public let execution: ApplicationExecution
    let children: @Sendable (Node) async throws -> [ChildSpec]
    let started: (@Sendable (Node, PID) async -> Void)?
    let logger: Logger

    /// An application.
    ///
    /// - Parameters:
    ///   - configuration: the node's configuration.
    ///   - strategy, maxRestarts, maxSeconds: the root supervisor's (defaults as OTP's).
    ///   - rootName: the root supervisor's registered name.
    ///   - execution: where processes run: Colony's scheduler, or the node's own event loop.
    ///   - logger: where start and stop are logged.
    ///   - started: called once the node and the whole tree are up, with the root's pid.
    ///   - children: the root's children, given the started node.
    public init(
        configuration: NodeConfiguration, strategy: SupervisorStrategy = .oneForOne, maxRestarts: Int = 3,
        maxSeconds: Int = 5, rootName: Atom = "colony_root_sup", execution: ApplicationExecution = .scheduler,
        logger: Logger,
        started: (@Sendable (Node, PID) async -> Void)? = nil,
        children: @escaping @Sendable (Node) async throws -> [ChildSpec]
    ) {
        self.configuration = configuration
        self.strategy = strategy
        self.maxRestarts = maxRestarts
        self.maxSeconds = maxSeconds
        self.rootName = rootName
        self.execution = execution
        self.children = children
        self.started = started
        self.logger = logger
    }

    public func run() async throws {
        let node: Node
        var ownGroup: MultiThreadedEventLoopGroup?
        switch execution {
        case .scheduler:
            node = try await Node.start(configuration)
        case .eventLoop:
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            ownGroup = group
            node = try await Node.start(configuration, eventLoopGroup: group, execution: .eventLoop(group.next()))
        }
        defer { if let ownGroup { Task { try? await ownGroup.shutdownGracefully() } } }
        let root: PID
        do {
            root = try await node.startSupervisor(
                strategy: strategy, children: try await children(node), maxRestarts: maxRestarts,
                maxSeconds: maxSeconds, name: .local(rootName))
        } catch {
            await node.stop()
            throw error
        }
        logger.info("application started on \(node.name): root supervisor \(root)")
        let rootExit = RootWatch(node: node, root: root)
        await started?(node, root)
        let reason = await withGracefulShutdownHandler {
            await rootExit.reason()
        } onGracefulShutdown: {
            Task { try? await node.stopServer(.pid(root), reason: .atom(ExitReasons.shutdown), timeout: nil) }
        }
        logger.info("root supervisor ended: \(reason)")
        await node.stop()
        // Asked to stop: any reason is the end of the shutdown. Otherwise the tree gave up.
        if !Task.isShuttingDownGracefully { throw NodeApplicationError.rootSupervisorExited(reason) }
    }
}

/// Where a ``NodeApplication``'s processes run.
public enum ApplicationExecution: Sendable {
    /// On the shared ``ProcessScheduler`` (the default).
    case scheduler
    /// On one event loop of the node's own, which also runs its connections: lower latency for
    /// remote calls, and one core for the node.
    case eventLoop
}

/// Why a ``NodeApplication`` ended without being asked to.
public enum NodeApplicationError: Error, Sendable, Equatable {
    /// The root supervisor exited with this reason (it gave up after too many restarts, or was
    /// killed) while no shutdown was under way.
    case rootSupervisorExited(Term)
}

/// Waits for the root supervisor's exit: a process monitors it and hands over the reason.
struct RootWatch: Sendable {
    private let task: Task<Term, Never>

    init(node: Node, root: PID) {
        let (stream, continuation) = AsyncStream<Term>.makeStream()
        node.spawn { process in
            let reference = await process.monitor(root)
            let reason = try await process.receive { message -> Term? in
                guard case .tuple(let parts) = message, parts.count == 5, parts[1] == .reference(reference) else {
                    return nil
                }
                return parts[4]
            }
            continuation.yield(reason ?? .atom(ExitReasons.normal))
            continuation.finish()
        }
        task = Task {
            for await reason in stream { return reason }
            return .atom(ExitReasons.normal)
        }
    }

    func reason() async -> Term { await task.value }
}
