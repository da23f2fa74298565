import ErlangDistribution
import ErlangTerm

/// The shell of the signal model for what arrives from other nodes. Runs on the connection's event
/// loop, in arrival order, and never suspends: each control message is applied to
/// ``ProcessSignals`` at once, and any answer (`noproc`, `UNLINK_ID_ACK`) is queued on the same
/// connection before the next message is read.
extension Node {
    /// Acts on a control message from another node.
    func handle(_ control: ControlMessage, payload: Term?, from connection: DistributionConnection) {
        let route = SignalRoute(connection: connection.id)
        switch control {
        case .send(let to), .sendSender(_, let to):
            if let payload { deliverLocal(payload, to: to) }
        case .registeredSend(_, let name):
            if let payload { processes.lookup(name: name)?.mailbox.enqueue(.message(payload)) }
        case .aliasSend(_, let alias):
            if let payload, alias.node == name, alias.creation == creation {
                aliases.lookup(alias)?.mailbox.enqueue(.message(payload))
            }
        case .link(let from, let to):
            acceptLink(from: from, to: to, route: route, connection: connection)
        case .unlink(let from, let to):
            processes.lookup(to)?.state.withLock { _ = $0.acceptUnlink(from: from, route: route) }
        case .unlinkID(let id, let from, let to):
            processes.lookup(to)?.state.withLock { _ = $0.acceptUnlink(from: from, route: route) }
            emit(.unlinkIDAck(id: id, from: to, to: from), on: connection)
        case .unlinkIDAck(let id, let from, let to):
            processes.lookup(to)?.state.withLock {
                _ = $0.acceptUnlinkAck(from: from, id: UInt64(truncatingIfNeeded: id), route: route)
            }
        case .exit(let from, let to, let reason):
            acceptExit(from: from, to: to, reason: reason, linked: true, route: route)
        case .payloadExit(let from, let to):
            acceptExit(from: from, to: to, reason: payload ?? .atom(ExitReasons.normal), linked: true, route: route)
        case .exit2(let from, let to, let reason):
            acceptExit(from: from, to: to, reason: reason, linked: false, route: route)
        case .payloadExit2(let from, let to):
            acceptExit(from: from, to: to, reason: payload ?? .atom(ExitReasons.normal), linked: false, route: route)
        case .monitor(let watcher, let target, let reference):
            acceptMonitor(watcher: watcher, target: target, reference: reference, route: route, connection: connection)
        case .demonitor(_, let target, let reference):
            let process: LocalProcess? =
                switch target {
                case .pid(let pid): processes.lookup(pid)
                case .name(let name): processes.lookup(name: name)
                }
            process?.state.withLock { _ = $0.acceptDemonitor(reference, route: route) }
        case .monitorExit(let from, let to, let reference, let reason):
            acceptDown(from: from, to: to, reference: reference, reason: reason, route: route, peer: connection)
        case .payloadMonitorExit(let from, let to, let reference):
            acceptDown(
                from: from, to: to, reference: reference, reason: payload ?? .atom(ExitReasons.normal), route: route,
                peer: connection)
        case .spawnRequest(let id, let from, _, let module, let function, _, let options):
            handleSpawnRequest(
                id: id, from: from, module: module, function: function, options: options, arguments: payload,
                connection: connection)
        case .spawnReply(let id, let to, let flags, let result):
            handleSpawnReply(id: id, to: to, flags: flags, result: result, connection: connection)
        case .groupLeader:
            break
        case .traced(let base, let token):
            handleTraced(base, token: token, payload: payload, from: connection)
        }
    }

    /// A message in its trace-token form: a message or spawn request with Colony's trace label
    /// carries it to the process when this node traces; everything else is handled as the plain
    /// operation (an Erlang node's sequential-trace token means nothing here).
    private func handleTraced(
        _ control: ControlMessage, token: Term, payload: Term?, from connection: DistributionConnection
    ) {
        guard tracer != nil, let label = TraceToken.label(of: token), let payload else {
            return handle(control.untraced, payload: payload, from: connection)
        }
        switch control {
        case .send(let to), .sendSender(_, let to):
            if isLocal(to) { processes.lookup(to)?.mailbox.enqueue(.traced(payload, label: label)) }
        case .registeredSend(_, let name):
            processes.lookup(name: name)?.mailbox.enqueue(.traced(payload, label: label))
        case .aliasSend(_, let alias):
            if alias.node == name, alias.creation == creation {
                aliases.lookup(alias)?.mailbox.enqueue(.traced(payload, label: label))
            }
        case .spawnRequest(let id, let from, _, let module, let function, _, let options):
            handleSpawnRequest(
                id: id, from: from, module: module, function: function, options: options, arguments: payload,
                connection: connection, trace: label)
        default:
            handle(control.untraced, payload: payload, from: connection)
        }
    }

    private func acceptLink(from: PID, to: PID, route: SignalRoute, connection: DistributionConnection) {
        guard let process = processes.lookup(to),
            process.state.withLock({ $0.acceptLink(from: from, route: route) })
        else {
            emit(
                exitSignal(from: to, to: from, reason: .atom(ExitReasons.noproc), linked: true, on: connection),
                on: connection)
            return
        }
        if !distribution.attach(to, to: route) {
            process.deliver(process.state.withLock { $0.connectionLost(route) })
        }
    }

    private func acceptExit(from: PID, to: PID, reason: Term, linked: Bool, route: SignalRoute) {
        guard let process = processes.lookup(to) else { return }
        if linked {
            guard process.state.withLock({ $0.acceptLinkedExit(from: from, route: route) }) else { return }
        }
        process.deliverExit(from: from, reason: reason, linked: linked)
    }

    private func acceptMonitor(
        watcher: PID, target: ControlMessage.MonitorTarget, reference: Reference, route: SignalRoute,
        connection: DistributionConnection
    ) {
        let process: LocalProcess?
        let described: Term
        switch target {
        case .pid(let pid):
            process = processes.lookup(pid)
            described = .pid(pid)
        case .name(let name):
            process = processes.lookup(name: name)
            described = .tuple([.atom(name), .atom(self.name)])
        }
        let record = Watcher(pid: watcher, described: described, route: route)
        guard let process, process.state.withLock({ $0.acceptMonitor(reference, by: record) }) else {
            emit(
                downSignal(
                    from: target, to: watcher, reference: reference, reason: .atom(ExitReasons.noproc),
                    on: connection),
                on: connection)
            return
        }
        if !distribution.attach(process.pid, to: route) {
            process.deliver(process.state.withLock { $0.connectionLost(route) })
        }
    }

    private func acceptDown(
        from: ControlMessage.MonitorTarget, to: PID, reference: Reference, reason: Term, route: SignalRoute,
        peer connection: DistributionConnection
    ) {
        guard let process = processes.lookup(to),
            process.state.withLock({ $0.acceptDown(reference, route: route) }) != nil
        else { return }
        let target: Term =
            switch from {
            case .pid(let pid): .pid(pid)
            case .name(let name): .tuple([.atom(name), .atom(Atom(connection.peerName))])
            }
        process.mailbox.enqueue(.message(downMessage(reference, target, reason)))
    }
}
