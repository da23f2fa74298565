public import Logging
public import NIOCore
public import NIOPosix

/// An EPMD server: Colony's own port mapper, which real Erlang/Elixir nodes, OTP's `epmd`
/// command-line client and Colony's ``EPMDClient`` can use in place of OTP's `epmd`.
///
/// A thin SwiftNIO shell around ``EPMDRegistry``: a connection that registers a node
/// (`ALIVE2_REQ`) keeps the registration alive until it closes; `PORT_PLEASE2_REQ` and
/// `NAMES_REQ` are answered on short connections that the server then closes.
///
/// As OTP's `epmd`, it accepts registrations only from its own host (a loopback address, or the
/// address a connection arrived on), while lookups and listings are served to anyone who can
/// reach it: listen on all addresses (`0.0.0.0`) for nodes on other hosts to find local ones.
public final class EPMDServer: Sendable {
    /// The address the server listens on.
    public let host: String
    /// The port the server listens on (the one the system chose when started with port 0).
    public let port: Int
    private let channel: any Channel
    private let state: EPMDServerState

    private init(host: String, port: Int, channel: any Channel, state: EPMDServerState) {
        self.host = host
        self.port = port
        self.channel = channel
        self.state = state
    }

    /// Starts a server listening on `host`:`port`.
    ///
    /// - Parameters:
    ///   - host: the address to listen on; loopback by default.
    ///   - port: the port to listen on (``EPMD/defaultPort`` by default; 0 lets the system choose).
    ///   - group: the event loops to run on; NIO's shared singleton group by default.
    ///   - idleTimeout: how long a connection that has not registered a node may stay open.
    ///   - registry: the initial registry; a fresh one whose creations start at a random value by
    ///     default.
    ///   - logger: where the server logs registrations (at debug level) and failures.
    /// - Throws: NIO's error when the address cannot be bound (for example when another EPMD
    ///   listens there already).
    public static func start(
        host: String = "127.0.0.1", port: Int = EPMD.defaultPort,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, idleTimeout: TimeAmount = .seconds(30),
        registry: EPMDRegistry = EPMDRegistry(), logger: Logger = Logger(label: "colony.epmd")
    ) async throws -> EPMDServer {
        let state = EPMDServerState(registry: registry)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 128)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let connection = state.open(channel) else {
                        channel.close(promise: nil)
                        return
                    }
                    let handlers = channel.pipeline.syncOperations
                    try handlers.addHandler(ByteToMessageHandler(EPMDRequestDecoder()))
                    try handlers.addHandler(
                        EPMDServerHandler(
                            connection: connection, state: state, idleTimeout: idleTimeout, logger: logger))
                }
            }
            .bind(host: host, port: port).get()
        let boundPort = channel.localAddress?.port ?? port
        logger.debug("EPMD server listening", metadata: ["host": "\(host)", "port": "\(boundPort)"])
        return EPMDServer(host: host, port: boundPort, channel: channel, state: state)
    }

    /// Every registered node with its creation, oldest registration first.
    public var registeredNodes: [EPMDRegistry.Entry] { state.registeredNodes }

    /// What the node called `name` registered, or `nil`.
    public func lookup(_ name: String) -> EPMDNodeInfo? { state.lookup(name) }

    /// Completes when the listening socket closes.
    public var closeFuture: EventLoopFuture<Void> { channel.closeFuture }

    /// Stops listening and closes every connection, which unregisters every node. Stopping twice
    /// does nothing.
    public func stop() async {
        channel.close(promise: nil)
        try? await channel.closeFuture.get()
        for connection in state.stop() {
            connection.close(promise: nil)
            try? await connection.closeFuture.get()
        }
    }
}
