import ErlangDistribution
import ErlangTerm
import Logging
import NIOCore
import NIOPosix

extension Distribution {
    /// Starts the distribution listener; every accepted connection runs the handshake as acceptor.
    func listen(host: String, port: Int) async throws -> any Channel {
        guard let handshake, let configuration else { throw NodeError.listen("distribution is disabled") }
        let logger = self.logger
        let timeout = configuration.setupTimeout.timeAmount
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [weak self] channel in
                guard let self else { return channel.eventLoop.makeFailedFuture(NodeError.listen("stopped")) }
                do {
                    try configuration.transport?.prepareInbound(channel)
                    let machine = HandshakeStateMachine(
                        accepting: handshake, challenge: UInt32.random(in: 0...UInt32.max))
                    let future = try HandshakeHandler.install(
                        on: channel, machine: machine,
                        options: self.handshakeOptions(timeout: timeout, accepting: channel), logger: logger)
                    future.whenSuccess { result in
                        do {
                            _ = try self.install(channel: channel, result: result)
                        } catch {
                            logger.warning("dropping the connection from \(result.peerName): \(error)")
                            channel.close(promise: nil)
                        }
                    }
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .bind(host: host, port: port).get()
    }
}

extension Distribution: DistributionConnectionDelegate {
    func connection(_ connection: DistributionConnection, received control: ControlMessage, payload: Term?) {
        node?.handle(control, payload: payload, from: connection)
    }

    /// The connection is gone. Runs on its event loop, after its last frame was handled: the links
    /// and monitors made over it break here, at once and in this thread, so nothing the peer sent
    /// before can be overtaken, and a later connection to the same node keeps its own.
    func connectionClosed(_ connection: DistributionConnection, reason: DisconnectReason) {
        let peer = Atom(connection.peerName)
        let route = SignalRoute(connection: connection.id)
        let (wasCurrent, dependents) = state.withLock { state -> (Bool, Set<PID>) in
            let dependents = state.routes.close(route) ?? []
            state.transportDescriptions[ObjectIdentifier(connection)] = nil
            guard state.connections[peer] === connection else { return (false, dependents) }
            state.connections[peer] = nil
            state.colonyPeers.remove(peer)
            return (true, dependents)
        }
        node?.connectionLost(route, dependents: dependents)
        guard wasCurrent else { return }
        let hidden = !connection.handshake.isPublished
        logger.info("nodedown \(peer): \(reason)")
        tellWatchers(up: false, peer: peer, connection: connection.id, hidden: hidden, reason: reason.description)
        publish(.nodeDown(peer, hidden: hidden, reason: reason.description))
    }
}
