import ErlangTerm
import NIOCore
import NIOEmbedded
import Synchronization

@testable import Colony
@testable import ErlangDistribution

/// A connection from a pretend peer node, on an in-memory channel: the test hands the node control
/// messages as if they had arrived on it, and reads back, decoded and in order, what the node sent.
final class PeerStub: Sendable {
    let connection: DistributionConnection
    let channel: NIOAsyncTestingChannel
    let node: Node
    var route: SignalRoute { SignalRoute(connection: connection.id) }

    /// A connection to `node` from `peer`; with `current`, it is the node's connection to `peer`,
    /// and with `open` its route takes links and monitors (a closed one refuses them).
    init(node: Node, peer: String = "peer@stub", current: Bool = true, open: Bool = true) async throws {
        self.node = node
        channel = NIOAsyncTestingChannel()
        try await channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1))
        connection = DistributionConnection(
            channel: channel,
            handshake: HandshakeResult(
                role: .acceptor, peerName: peer, peerCreation: 1, peerFlags: .colonyDefault,
                localFlags: .colonyDefault, flags: .colonyDefault))
        let (connection, route) = (connection, route)
        node.distribution.state.withLock { state in
            // A local-only node's distribution knows no node; the stub's close needs it.
            if state.node == nil { state.node = node }
            if open { state.routes.open(route) }
            if current { state.connections[Atom(peer)] = connection }
        }
    }

    /// A pid on the peer node.
    func pid(_ id: UInt32) -> PID { PID(node: Atom(connection.peerName), id: id, serial: 0, creation: 1) }

    /// The peer sends `control` (with `payload`) to the node.
    func send(_ control: ControlMessage, payload: Term? = nil) {
        node.handle(control, payload: payload, from: connection)
    }

    /// The connection goes down, as its handler reports it.
    func close() {
        connection.markClosed()
        node.distribution.connectionClosed(connection, reason: .connectionClosed)
    }

    /// Everything the node has sent on this connection so far, decoded, in order.
    func sent() async throws -> [ControlMessage] {
        await channel.testingEventLoop.run()
        var bytes = ByteBuffer()
        while let chunk = try await channel.readOutbound(as: ByteBuffer.self) {
            var chunk = chunk
            bytes.writeBuffer(&chunk)
        }
        var inbound = DistributionInbound()
        var messages: [ControlMessage] = []
        while let length = bytes.readInteger(as: UInt32.self) {
            let frame = bytes.readSlice(length: Int(length))!
            if case .message(let control, _) = try inbound.receive(frame: frame) { messages.append(control) }
        }
        return messages
    }
}

/// A process that traps exits and keeps each message it gets for the test.
struct Collector {
    let pid: PID
    private let inbox = Inbox()

    init(on node: Node) {
        let inbox = inbox
        pid = node.spawn { process in
            process.trapExit = true
            while true { inbox.put(try await process.receive()) }
        }
    }

    /// The next message, or `nil` after `timeout` (bounded polling).
    func next(timeout: Duration = .seconds(5)) async -> Term? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let message = inbox.take() { return message }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return inbox.take()
    }

    final class Inbox: Sendable {
        private let messages = Mutex<[Term]>([])
        func put(_ message: Term) { messages.withLock { $0.append(message) } }
        func take() -> Term? { messages.withLock { $0.isEmpty ? nil : $0.removeFirst() } }
    }
}
