import ErlangDistribution
import ErlangTerm
import Tracing

extension Node {
    /// The node's tracer, when it traces (``NodeConfiguration/tracer``).
    var tracer: ColonyTracer? { distribution.configuration?.tracer }

    /// The trace token for a message `sender` sends over `connection` now: the task's current
    /// trace context, when the node traces, the caller is in a span, and the peer takes it (a
    /// Colony peer, or any peer with ``NodeConfiguration/propagatesTraceToErlang``; always one
    /// that takes big sequential-trace labels).
    func traceToken(from sender: PID, over connection: DistributionConnection) -> Term? {
        guard let tracer, let context = ServiceContext.current,
            connection.handshake.flags.contains(.bigSeqtraceLabels)
        else { return nil }
        let peer = Atom(connection.peerName)
        guard distribution.configuration?.propagatesTraceToErlang == true || distribution.isColonyPeer(peer) else {
            return nil
        }
        return TraceToken.make(headers: tracer.inject(context), sender: sender)
    }

    /// Sends `message` from `sender` to `destination` (a remote pid, or a name on a remote node)
    /// with the current trace context, when there is one to send; `false` when it did not send,
    /// and the caller sends the plain way.
    func sendTraced(_ message: Term, to destination: TracedDestination, from sender: PID) async -> Bool {
        guard tracer != nil, ServiceContext.current != nil else { return false }
        let remote: Atom
        switch destination {
        case .pid(let pid):
            guard !isLocal(pid), pid.node != name else { return false }
            remote = pid.node
        case .name(_, let node):
            guard node != name else { return false }
            remote = node
        }
        var connection = distribution.openConnection(to: remote)
        if connection == nil { connection = await distribution.connection(to: remote) }
        guard let connection, let token = traceToken(from: sender, over: connection) else { return false }
        let control: ControlMessage
        switch destination {
        case .pid(let pid):
            control = connection.supportsSendSender ? .sendSender(from: sender, to: pid) : .send(to: pid)
        case .name(let registered, _):
            control = .registeredSend(from: sender, toName: registered)
        }
        do {
            if try connection.enqueue(.traced(control, token: token), payload: message) {
                await connection.waitForRoom()
            }
        } catch {
            distribution.logger.error("dropped a message to \(destination): \(error)")
        }
        return true
    }
}

/// Where ``Node/sendTraced(_:to:from:)`` sends.
enum TracedDestination: CustomStringConvertible {
    /// A process of another node.
    case pid(PID)
    /// A registered name on another node.
    case name(Atom, on: Atom)

    var description: String {
        switch self {
        case .pid(let pid): "\(pid)"
        case .name(let name, let node): "{\(name), \(node)}"
        }
    }
}

extension Distribution {
    /// Records that `peer` is a Colony node (it takes Colony's trace context).
    func markColonyPeer(_ peer: Atom) {
        state.withLock { state in
            if state.connections[peer] != nil { state.colonyPeers.insert(peer) }
        }
    }

    /// Whether `peer` is a connected Colony node.
    func isColonyPeer(_ peer: Atom) -> Bool {
        state.withLock { $0.colonyPeers.contains(peer) }
    }
}
