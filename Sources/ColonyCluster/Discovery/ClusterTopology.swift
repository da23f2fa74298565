public import Colony
public import ErlangTerm
import Logging
public import ServiceLifecycle
import Synchronization

/// A named topology: one ``DiscoveryStrategy`` and the ``TopologyState`` that turns what it
/// finds into connections. It runs as a swift-service-lifecycle `Service` (beside the node, in
/// its `ServiceGroup`), and stops on graceful shutdown or cancellation.
public final class ClusterTopology: Service, Sendable {
    /// The topology's name, for logs.
    public let name: String
    /// The node it connects.
    public let node: Node
    /// Where it finds nodes.
    public let strategy: any DiscoveryStrategy
    /// How often it compares what is listed with what is connected.
    public let tickInterval: Duration
    private let state: Mutex<TopologyState>
    private let logger: Logger

    /// A topology for `node` finding nodes with `strategy`.
    public init(
        name: String? = nil, node: Node, strategy: any DiscoveryStrategy,
        options: TopologyState.Options = TopologyState.Options(), tickInterval: Duration = .seconds(1)
    ) {
        self.name = name ?? strategy.name
        self.node = node
        self.strategy = strategy
        self.tickInterval = tickInterval
        state = Mutex(TopologyState(local: node.name, options: options))
        var logger = Logger(label: "colony.cluster")
        logger[metadataKey: "topology"] = "\(name ?? strategy.name)"
        self.logger = logger
    }

    /// The nodes the strategy lists now.
    public var listed: Set<Atom> {
        let now = ContinuousClock.now - start
        return state.withLock { $0.listed(at: now) }
    }

    private let start = ContinuousClock.now

    private enum Event: Sendable {
        case sighted(DiscoverySighting)
        case tick
        case attempted(Atom, Bool)
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { try await self.runUntilCancelled() }
    }

    private func runUntilCancelled() async throws {
        let (events, input) = AsyncStream<Event>.makeStream()
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                // A strategy that stops (a socket error, an unreachable API) starts again, after a
                // wait that doubles up to 30 s; only cancellation ends it.
                var wait = Duration.seconds(1)
                while !Task.isCancelled {
                    do {
                        try await self.strategy.run(on: self.node) { input.yield(.sighted($0)) }
                    } catch is CancellationError {
                        return
                    } catch {
                        self.logger.error("discovery stopped: \(error); starting it again in \(wait)")
                    }
                    try? await Task.sleep(for: wait)
                    wait = min(wait * 2, .seconds(30))
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    input.yield(.tick)
                    try? await Task.sleep(for: self.tickInterval)
                }
            }
            for await event in events {
                let now = ContinuousClock.now - start
                let directives = state.withLock { state -> [TopologyState.Directive] in
                    switch event {
                    case .sighted(let sighting):
                        return state.sighted(sighting, at: now)
                    case .tick:
                        return state.connected(Set(node.nodes(.connected)), at: now)
                    case .attempted(let peer, let succeeded):
                        return state.attempted(peer, succeeded: succeeded, at: now, random: Double.random(in: 0..<1))
                    }
                }
                for directive in directives {
                    switch directive {
                    case .connect(let peer):
                        group.addTask {
                            let result = await self.node.connect(to: peer)
                            if result != .connected { self.logger.debug("connect \(peer): \(result)") }
                            input.yield(.attempted(peer, result == .connected))
                        }
                    case .disconnect(let peer):
                        logger.info("\(peer) is no longer listed: disconnecting")
                        await node.disconnect(peer)
                    }
                }
            }
            group.cancelAll()
        }
    }
}
