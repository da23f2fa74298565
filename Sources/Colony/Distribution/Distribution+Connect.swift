import ErlangDistribution
import ErlangTerm
import Logging
import NIOCore
import NIOPosix

extension Distribution {
    /// Connects to `peer`: finds its port (EPMD, or the fixed port in EPMD-less mode), opens a TCP
    /// connection, runs the handshake as initiator and installs the connection. `nil` on failure.
    func establish(_ peer: Atom) async -> DistributionConnection? {
        defer { state.withLock { _ = $0.connecting.removeValue(forKey: peer) } }
        guard let configuration, let handshake else { return nil }
        let parts = peer.name.split(separator: "@", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let (alive, host) = (String(parts[0]), String(parts[1]))
        do {
            let port: Int
            if configuration.usesEPMD {
                let client = EPMDClient(group: group)
                guard let info = try await client.lookup(name: alive, host: host, port: configuration.epmdPort) else {
                    logger.info("\(peer) is not registered with EPMD on \(host)")
                    return nil
                }
                port = Int(info.port)
            } else {
                port = configuration.peerDistributionPort ?? configuration.distributionPort
            }
            let machine = HandshakeStateMachine(
                initiating: handshake, to: peer.name, challenge: UInt32.random(in: 0...UInt32.max))
            let timeout = configuration.setupTimeout.timeAmount
            let logger = self.logger
            let transport = configuration.transport
            let channel = try await ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    guard let transport else { return channel.eventLoop.makeSucceededVoidFuture() }
                    return channel.eventLoop.makeCompletedFuture {
                        try transport.prepareOutbound(channel, peerHost: host)
                    }
                }
                .connect(host: host, port: port).get()
            let result = try await channel.eventLoop.flatSubmit {
                do {
                    return try HandshakeHandler.install(
                        on: channel, machine: machine, options: self.handshakeOptions(timeout: timeout), logger: logger
                    ).flatMapThrowing { result in
                        try self.install(channel: channel, result: result)
                    }
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }.flatMapErrorThrowing { error throws -> DistributionConnection in
                // A refused or failed connection is closed here, not left open and idle.
                channel.close(promise: nil)
                throw error
            }.get()
            return result
        } catch let failure as HandshakeFailure
            where failure.reason == .simultaneousConnectLost || failure.reason == .duplicateConnectionAbandoned
        {
            // The peer's own attempt wins (or came up first): the caller gets that connection.
            return await waitForAcceptedConnection(from: peer)
        } catch {
            logger.info("cannot connect to \(peer): \(error)")
            return nil
        }
    }

    /// The handshake's questions (the acceptor's, and the initiator's `alive`), answered from the
    /// connection table. `accepting` is the channel of a handshake this node accepts: while it
    /// runs, the peer counts as being connected (see `alive`).
    func handshakeOptions(timeout: TimeAmount, accepting channel: (any Channel)? = nil) -> HandshakeHandler.Options {
        HandshakeHandler.Options(
            timeout: timeout,
            acceptance: .immediate { [weak self] request in
                guard let self else { return .notAllowed }
                if let channel, let transport = self.configuration?.transport {
                    // The transport may refuse the name the peer gives (a TLS certificate for
                    // another host): the peer is told `not_allowed` before anything is set up.
                    do {
                        try transport.authorize(channel, peerName: request.peerName)
                    } catch {
                        self.logger.warning("refusing \(request.peerName): \(error)")
                        return .notAllowed
                    }
                }
                // Not yet authenticated: its name is looked up, never interned. A name with no
                // atom yet has no connection and no attempt under way.
                let peer = Atom(existing: request.peerName)
                let decision = self.state.withLock { state -> AcceptanceDecision in
                    if state.stopping { return .notAllowed }
                    guard let peer else { return .allowed }
                    if state.connections[peer] != nil { return .alreadyConnected }
                    if state.connecting[peer] != nil { return .simultaneous }
                    return .allowed
                }
                if let peer, let channel, decision == .allowed || decision == .simultaneous {
                    self.noteAccepting(peer, channel)
                }
                return decision
            },
            // Initiator: the peer says it is already connected to this node. As OTP's
            // `is_pending`: go on (replacing that connection, left from an earlier incarnation or
            // already dead) only if this node has neither a connection to the peer nor a
            // handshake from it under way; otherwise the peer's own attempt reached this node
            // first, and replacing it would break its links and monitors for nothing.
            alive: .immediate { [weak self] peerName in
                guard let self, let peer = Atom(existing: peerName) else { return true }
                return self.state.withLock { $0.connections[peer] == nil && ($0.accepting[peer]?.isEmpty ?? true) }
            },
            framing: configuration?.transport?.handshakeFraming ?? .twoByteLength)
    }

    /// Records a handshake from `peer` that this node accepts, until its channel is installed or
    /// closes.
    private func noteAccepting(_ peer: Atom, _ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        _ = state.withLock { $0.accepting[peer, default: []].insert(id) }
        channel.closeFuture.whenComplete { [weak self] _ in self?.doneAccepting(peer, id) }
    }

    func doneAccepting(_ peer: Atom, _ id: ObjectIdentifier) {
        state.withLock { state in
            state.accepting[peer]?.remove(id)
            if state.accepting[peer]?.isEmpty == true { state.accepting[peer] = nil }
        }
    }

    /// Installs the connection handler behind a completed handshake and records the connection.
    /// Runs on the channel's event loop, before any distribution frame is read.
    func install(channel: any Channel, result: HandshakeResult) throws -> DistributionConnection {
        guard let configuration, let node else { throw NodeError.listen("the node is stopping") }
        let transportDescription = configuration.transport?.describe(channel)
        // Authenticated now; its name still counts against the cap on atoms made from input.
        guard let peer = Atom(input: result.peerName) else {
            throw NodeError.listen("refused \(result.peerName): the atom table's input limit is reached")
        }
        let connection = DistributionConnection(
            channel: channel, handshake: result, metrics: metrics?.connection(to: result.peerName))
        defer { doneAccepting(peer, ObjectIdentifier(channel)) }
        // Recorded before the handler reads a frame: every signal the peer sends finds the
        // connection's route open, and a close reported at once still finds it to remove.
        let (replaced, lost) = state.withLock { state -> (DistributionConnection?, Set<PID>) in
            state.routes.open(SignalRoute(connection: connection.id))
            defer { state.connections[peer] = connection }
            if let transportDescription {
                state.transportDescriptions[ObjectIdentifier(connection)] = transportDescription
            }
            guard let replaced = state.connections[peer] else { return (nil, []) }
            state.transportDescriptions[ObjectIdentifier(replaced)] = nil
            // The new connection's peer proves again that it runs Colony (peer-list exchange).
            state.colonyPeers.remove(peer)
            return (replaced, state.routes.close(SignalRoute(connection: replaced.id)) ?? [])
        }
        if let replaced {
            // The older connection is done before the new one carries anything: its links and
            // monitors break now, and it delivers nothing more.
            replaced.retire()
            node.connectionLost(SignalRoute(connection: replaced.id), dependents: lost)
            tellWatchers(
                up: false, peer: peer, connection: replaced.id, hidden: !replaced.handshake.isPublished,
                reason: DisconnectReason.replaced.description)
            publish(
                .nodeDown(peer, hidden: !replaced.handshake.isPublished, reason: DisconnectReason.replaced.description))
        }
        // Watchers hear of the connection before anything it carries can reach a mailbox.
        tellWatchers(up: true, peer: peer, connection: connection.id, hidden: !result.isPublished)
        do {
            try DistributionConnectionHandler.install(
                connection: connection, delegate: self,
                tickTime: configuration.tickTime.timeAmount, limits: inboundLimits,
                maximumFrameSize: configuration.maximumFrameSize, logger: logger)
        } catch {
            state.withLock { state in
                _ = state.routes.close(SignalRoute(connection: connection.id))
                state.transportDescriptions[ObjectIdentifier(connection)] = nil
                if state.connections[peer] === connection { state.connections[peer] = nil }
            }
            tellWatchers(
                up: false, peer: peer, connection: connection.id, hidden: !result.isPublished,
                reason: DisconnectReason.disconnect.description)
            throw error
        }
        let hidden = !result.isPublished
        logger.info("nodeup \(peer)\(hidden ? " (hidden)" : "")")
        publish(.nodeUp(peer, hidden: hidden))
        // Always asked: the answer also tells that the peer runs Colony (it then gets trace
        // context); whether this node connects to the peers it lists is decided on the answer.
        node.askForPeers(of: peer)
        return connection
    }

    /// After losing a simultaneous connect, waits (bounded) for the peer's connection to arrive.
    private func waitForAcceptedConnection(from peer: Atom) async -> DistributionConnection? {
        for _ in 0..<100 {
            if let connection = state.withLock({ $0.connections[peer] }) { return connection }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}
