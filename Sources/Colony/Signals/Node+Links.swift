import ErlangDistribution
import ErlangTerm

/// What a monitor watches, as the caller named it.
enum MonitorTarget: Sendable {
    case pid(PID)
    case name(Atom, node: Atom)
}

/// The shell of the signal model, for signals a local process starts: each operation updates
/// ``ProcessSignals`` (the holder's side first), records the route (``ConnectionRoutes``), and
/// sends what it decided on the connection in the caller's own thread, so one process's signals
/// leave in the order it made them. The only suspension is connecting to a node not yet connected,
/// before anything is recorded.
extension Node {
    // MARK: - Links

    /// Links `a` (a local process) and `b`.
    func link(_ a: PID, _ b: PID) async {
        guard let process = processes.lookup(a), a != b else { return }
        if b.node == name {
            linkLocally(process, to: b)
            return
        }
        if process.state.withLock({ $0.isLinked(to: b) }) { return }
        var connection = distribution.openConnection(to: b.node)
        if connection == nil { connection = await distribution.connection(to: b.node) }
        linkRemotely(process, to: b, over: connection)
    }

    /// Links a local process to another on this node (or to a pid of an earlier incarnation of
    /// this node, which is gone: `noproc`).
    func linkLocally(_ process: LocalProcess, to other: PID) {
        guard process.state.withLock({ $0.link(other, route: .local) }) == .linked else { return }
        let linked =
            processes.lookup(other)?.state.withLock { $0.acceptLink(from: process.pid, route: .local) } ?? false
        if !linked, process.state.withLock({ $0.acceptLinkedExit(from: other, route: .local) }) {
            process.deliverExit(from: other, reason: .atom(ExitReasons.noproc), linked: true)
        }
    }

    /// Links a local process to a remote one over `connection` (`nil`: the node cannot be
    /// reached, and the link breaks at once with `noconnection`).
    func linkRemotely(_ process: LocalProcess, to other: PID, over connection: DistributionConnection?) {
        guard let connection else {
            if !process.state.withLock({ $0.isLinked(to: other) }) {
                process.deliverExit(from: other, reason: .atom(ExitReasons.noconnection), linked: true)
            }
            return
        }
        let route = SignalRoute(connection: connection.id)
        guard process.state.withLock({ $0.link(other, route: route) }) == .linked else { return }
        guard distribution.attach(process.pid, to: route) else {
            process.deliver(process.state.withLock { $0.connectionLost(route) })
            return
        }
        emit(.link(from: process.pid, to: other), on: connection)
    }

    /// Removes the link between `a` (local) and `b`: at once on this node; with OTP's new link
    /// protocol (`UNLINK_ID`, acknowledged) with a process of another node.
    func unlink(_ a: PID, _ b: PID) {
        guard let process = processes.lookup(a) else { return }
        let id = distribution.nextUnlinkID()
        guard let route = process.state.withLock({ $0.unlink(b, id: id) }) else { return }
        if route.isLocal {
            processes.lookup(b)?.state.withLock { _ = $0.acceptUnlink(from: a, route: .local) }
        } else if let connection = distribution.openConnection(for: route, to: b.node) {
            emit(.unlinkID(id: Int(truncatingIfNeeded: id), from: a, to: b), on: connection)
        }
    }

    // MARK: - Monitors

    /// Starts a monitor held by `watcher` (local) on `target`.
    func monitor(watcher: PID, target: MonitorTarget) async -> Reference {
        guard let process = processes.lookup(watcher) else { return makeReference() }
        return await monitor(holder: process, target: target)
    }

    /// Starts a monitor held by the local process `process` on `target` (no table lookup for the
    /// holder: a process's own context already has it).
    func monitor(holder process: LocalProcess, target: MonitorTarget) async -> Reference {
        let reference = makeReference()
        switch target {
        case .pid(let pid) where pid.node == name:
            monitorLocally(
                process, reference, target: processes.lookup(pid),
                monitor: HeldMonitor(target: pid, name: nil, node: name, route: .local))
        case .name(let registered, let node) where node == name:
            let target = processes.lookup(name: registered)
            monitorLocally(
                process, reference, target: target,
                monitor: HeldMonitor(target: target?.pid, name: registered, node: name, route: .local))
        case .pid(let pid):
            var connection = distribution.openConnection(to: pid.node)
            if connection == nil { connection = await distribution.connection(to: pid.node) }
            monitorRemotely(process, reference, .pid(pid), node: pid.node, over: connection)
        case .name(let registered, let node):
            var connection = distribution.openConnection(to: node)
            if connection == nil { connection = await distribution.connection(to: node) }
            monitorRemotely(process, reference, .name(registered), node: node, over: connection)
        }
        return reference
    }

    /// A monitor on a process of this node: the holder's side first, so that a target ending
    /// right after it records the monitor finds a holder that knows the reference.
    private func monitorLocally(
        _ process: LocalProcess, _ reference: Reference, target: LocalProcess?, monitor: HeldMonitor
    ) {
        guard process.state.withLock({ $0.hold(reference, monitor) }) else { return }
        let watcher = Watcher(pid: process.pid, described: monitor.described, route: .local)
        let added = target?.state.withLock { $0.acceptMonitor(reference, by: watcher) } ?? false
        if !added, process.state.withLock({ $0.acceptDown(reference, route: .local) }) != nil {
            process.mailbox.enqueue(.message(downMessage(reference, monitor.described, .atom(ExitReasons.noproc))))
        }
    }

    /// A monitor on a process of another node, over `connection` (`nil`: the node cannot be
    /// reached, and the monitor fires at once with `noconnection`). Recorded before `MONITOR` is
    /// sent; if the connection closed meanwhile, the record is refused and the monitor fires here.
    private func monitorRemotely(
        _ process: LocalProcess, _ reference: Reference, _ target: ControlMessage.MonitorTarget, node: Atom,
        over connection: DistributionConnection?
    ) {
        let targetPID: PID?
        let targetName: Atom?
        switch target {
        case .pid(let pid): (targetPID, targetName) = (pid, nil)
        case .name(let name): (targetPID, targetName) = (nil, name)
        }
        guard let connection else {
            let monitor = HeldMonitor(target: targetPID, name: targetName, node: node, route: .local)
            process.mailbox.enqueue(
                .message(downMessage(reference, monitor.described, .atom(ExitReasons.noconnection))))
            return
        }
        let route = SignalRoute(connection: connection.id)
        let monitor = HeldMonitor(target: targetPID, name: targetName, node: node, route: route)
        guard process.state.withLock({ $0.hold(reference, monitor) }) else { return }
        guard distribution.attach(process.pid, to: route) else {
            process.deliver(process.state.withLock { $0.connectionLost(route) })
            return
        }
        emit(.monitor(from: process.pid, target: target, reference: reference), on: connection)
    }

    /// Removes a monitor held by `watcher`.
    func demonitor(watcher: PID, reference: Reference) {
        guard let process = processes.lookup(watcher) else { return }
        demonitor(holder: process, reference: reference)
    }

    /// Removes a monitor held by the local process `process`.
    func demonitor(holder process: LocalProcess, reference: Reference) {
        guard let monitor = process.state.withLock({ $0.demonitor(reference) }) else { return }
        cancelMonitor(reference, held: monitor, by: process.pid)
    }

    /// Tells the monitored side that a monitor is gone.
    func cancelMonitor(_ reference: Reference, held monitor: HeldMonitor, by holder: PID) {
        if monitor.route.isLocal {
            if let target = monitor.target {
                processes.lookup(target)?.state.withLock { _ = $0.acceptDemonitor(reference, route: .local) }
            }
            return
        }
        // A spawn request's monitor before its reply names no process yet: the reply undoes it.
        guard monitor.target != nil || monitor.name != nil,
            let connection = distribution.openConnection(for: monitor.route, to: monitor.node)
        else { return }
        let target: ControlMessage.MonitorTarget = monitor.target.map { .pid($0) } ?? .name(monitor.name!)
        emit(.demonitor(from: holder, target: target, reference: reference), on: connection)
    }

    // MARK: - Exit signals

    /// Sends an exit signal from `from` to `target` (`exit(Pid, Reason)`): not tied to a link, so
    /// it may connect first.
    func exit(_ target: PID, reason: Term, from: PID) async {
        if target.node == name {
            processes.lookup(target)?.deliverExit(from: from, reason: reason, linked: false)
            return
        }
        var connection = distribution.openConnection(to: target.node)
        if connection == nil { connection = await distribution.connection(to: target.node) }
        guard let connection else { return }
        emit(exitSignal(from: from, to: target, reason: reason, linked: false, on: connection), on: connection)
    }

    // MARK: - Sending on a connection

    /// Queues a signal on a connection without suspending. Signals are not held back by the
    /// connection's high-water mark: holding one back would reorder it behind later ones.
    func emit(_ signal: (ControlMessage, Term?), on connection: DistributionConnection) {
        do {
            _ = try connection.enqueue(signal.0, payload: signal.1)
        } catch {
            distribution.logger.error("dropped a signal to \(connection.peerName): \(error)")
        }
    }

    /// ``emit(_:on:)`` for a signal without payload.
    func emit(_ control: ControlMessage, on connection: DistributionConnection) {
        emit((control, nil), on: connection)
    }

    /// An exit signal in the form the peer takes (`PAYLOAD_EXIT*` when it can).
    func exitSignal(from: PID, to: PID, reason: Term, linked: Bool, on connection: DistributionConnection)
        -> (ControlMessage, Term?)
    {
        switch (linked, connection.supportsExitPayload) {
        case (true, true): (.payloadExit(from: from, to: to), reason)
        case (true, false): (.exit(from: from, to: to, reason: reason), nil)
        case (false, true): (.payloadExit2(from: from, to: to), reason)
        case (false, false): (.exit2(from: from, to: to, reason: reason), nil)
        }
    }

    /// A `DOWN` signal in the form the peer takes.
    func downSignal(
        from target: ControlMessage.MonitorTarget, to watcher: PID, reference: Reference, reason: Term,
        on connection: DistributionConnection
    ) -> (ControlMessage, Term?) {
        connection.supportsExitPayload
            ? (.payloadMonitorExit(from: target, to: watcher, reference: reference), reason)
            : (.monitorExit(from: target, to: watcher, reference: reference, reason: reason), nil)
    }
}
