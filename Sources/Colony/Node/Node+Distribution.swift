import ErlangDistribution
public import ErlangTerm
public import Logging
public import NIOCore
public import NIOPosix

extension Node {
    /// Starts a distributed node: listens for connections, registers with EPMD (starting an
    /// embedded EPMD server when none answers and the configuration allows it), and starts the
    /// node's system process, registered as `net_kernel`, which answers `net_adm:ping`.
    ///
    /// - Parameters:
    ///   - configuration: the node's name, cookie, ports and timing.
    ///   - eventLoopGroup: the event loops for network I/O and timers.
    ///   - execution: where processes run; by default the shared ``ProcessScheduler``.
    ///   - logger: where the node and its connections log.
    public static func start(
        _ configuration: NodeConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        execution: ProcessExecution = .default,
        logger: Logger = Logger(label: "colony.node")
    ) async throws -> Node {
        let fullName = configuration.fullName
        let cookie = try configuration.resolvedCookie()
        var flags = DistributionFlags.colonyDefault
        if configuration.hidden { flags.remove(.published) }
        // The creation is known only after EPMD registration, which needs the listener's port:
        // the handshake configuration gets it then. Connections accepted before that are refused.
        var handshake: HandshakeConfiguration
        do {
            handshake = try HandshakeConfiguration(
                localName: fullName, localCreation: 1, localFlags: flags, cookie: .fixed(cookie))
        } catch {
            throw NodeError.invalidName("\(error)")
        }
        var epmd = Distribution.EPMDBinding()
        let distribution = Distribution(
            configuration: configuration, handshake: handshake, group: eventLoopGroup, logger: logger)
        var listener: (any Channel)?
        do {
            listener = try await distribution.listen(
                host: configuration.listenAddress, port: configuration.distributionPort)
        } catch {
            throw NodeError.listen("\(configuration.listenAddress):\(configuration.distributionPort): \(error)")
        }
        let port = listener!.localAddress?.port ?? configuration.distributionPort
        var creation = UInt32.random(in: 1...UInt32.max)
        do {
            if configuration.usesEPMD {
                if configuration.startsEPMDServer {
                    epmd.server = try await EPMD.ensureRunning(
                        host: "0.0.0.0", port: configuration.epmdPort, group: eventLoopGroup)
                }
                let alive = String(fullName.split(separator: "@")[0])
                let registration = try await EPMDClient(group: eventLoopGroup).register(
                    name: alive, port: port, hidden: configuration.hidden, epmdPort: configuration.epmdPort)
                epmd.registration = registration
                creation = registration.creation
            }
        } catch {
            try? await listener?.close()
            await epmd.server?.stop()
            throw NodeError.epmd("\(error)")
        }
        handshake.localCreation = creation
        let node = Node(
            name: Atom(fullName), creation: creation, eventLoopGroup: eventLoopGroup, execution: execution,
            distribution: distribution)
        distribution.state.withLock { state in
            state.handshake = handshake
            state.node = node
            state.listener = listener
            state.epmd = epmd
        }
        if let metrics = distribution.metrics { node.startMetricsSampling(metrics) }
        node.startSystemProcess()
        node.startGlobalCompatProcess()
        logger.info("node \(fullName) up on port \(port), creation \(creation)")
        return node
    }

    /// The node's metrics, when ``NodeConfiguration/metrics`` is on.
    public var metrics: NodeMetrics? { distribution.metrics }

    /// The port the node listens on for distribution, if distributed.
    public var distributionPort: Int? {
        distribution.state.withLock { $0.listener?.localAddress?.port }
    }

    /// Stops the node: closes every connection (peers see `nodedown`), unregisters from EPMD,
    /// stops the listener and the embedded EPMD server, kills every process (untrappable `kill`), and
    /// finishes the node event streams.
    public func stop() async {
        let (connections, listener, epmd) = distribution.state.withLock { state in
            state.stopping = true
            return (Array(state.connections.values), state.listener, state.epmd)
        }
        for connection in connections { connection.close(reason: .nodeStopping) }
        try? await listener?.close()
        await epmd?.registration?.close()
        await epmd?.server?.stop()
        for process in processes.all {
            process.deliverExit(from: process.pid, reason: .atom(ExitReasons.kill), linked: false)
        }
        distribution.finishEvents()
        distribution.state.withLock { $0.node = nil }
    }

    /// Connects to `node` (Erlang's `net_kernel:connect_node/1`, Elixir's `Node.connect/1`).
    public func connect(to node: Atom) async -> ConnectResult {
        guard distribution.isEnabled else { return .ignored }
        if node == name { return .connected }
        return await distribution.connection(to: node) != nil ? .connected : .failed
    }

    /// Closes the connection to `node` (`disconnect_node/1`); `false` when not connected.
    ///
    /// Returns once the connection is gone (its links and monitors broken, `nodedown` sent), as
    /// OTP's does, so that a send or ping right after it dials anew instead of using the
    /// connection being closed (which takes a moment over TLS: its close_notify goes first).
    @discardableResult
    public func disconnect(_ node: Atom) async -> Bool {
        guard let connection = distribution.openConnection(to: node) else { return false }
        connection.close(reason: .disconnect)
        try? await connection.channel.closeFuture.get()
        return true
    }

    /// The connected nodes of a kind: `.visible` is Erlang's `nodes()`.
    public func nodes(_ kind: NodeListKind = .visible) -> [Atom] {
        distribution.peers.filter { peer in
            switch kind {
            case .visible: return !peer.hidden
            case .hidden: return peer.hidden
            case .connected: return true
            }
        }.map(\.name).sorted()
    }

    /// Node up and down events from now on, with reasons (`net_kernel:monitor_nodes(true,
    /// [nodedown_reason])`). The stream ends when the node stops.
    public func monitorNodes() -> AsyncStream<NodeEvent> {
        distribution.events()
    }
}
