import ErlangDistribution
import ErlangTerm

extension Node {
    /// Sends a `SPAWN_REQUEST` for `from`. With `monitor`, the request's id is also a monitor
    /// held by `from` (pending until the reply names the pid), so that the remote process's exit
    /// arrives as `{'DOWN', Id, process, Pid, Reason}`, and a lost node as `noconnection`.
    func spawnRequest(
        on target: Atom, id: Reference, from process: LocalProcess, module: Atom, function: Atom, arguments: Term,
        monitor: Bool
    ) async {
        if target == name {
            spawnLocally(
                id: id, from: process, module: module, function: function, arguments: arguments, monitor: monitor)
            return
        }
        var connection = distribution.openConnection(to: target)
        if connection == nil { connection = await distribution.connection(to: target) }
        guard let connection else {
            if monitor {
                process.mailbox.enqueue(.message(downMessage(id, "undefined", .atom(ExitReasons.noconnection))))
            }
            return
        }
        if monitor {
            // Recorded before the request leaves; a connection that closed meanwhile refuses the
            // route, and the monitor fires here with `noconnection`.
            let route = SignalRoute(connection: connection.id)
            process.state.withLock {
                _ = $0.hold(id, HeldMonitor(target: nil, name: nil, node: target, route: route))
            }
            guard distribution.attach(process.pid, to: route) else {
                process.deliver(process.state.withLock { $0.connectionLost(route) })
                return
            }
        }
        // `reply` options stay on the requesting side (OTP's node filters its own spawn replies);
        // on the wire go only the options the spawning node acts on.
        let options: Term = monitor ? .list(["monitor"]) : .list([])
        var control = ControlMessage.spawnRequest(
            requestID: id, from: process.pid, groupLeader: process.pid, module: module, function: function,
            arity: arguments.listCount, options: options)
        if let token = traceToken(from: process.pid, over: connection) { control = .traced(control, token: token) }
        do {
            if try connection.enqueue(control, payload: arguments) { await connection.waitForRoom() }
        } catch {
            distribution.logger.error("dropped a spawn request to \(target): \(error)")
        }
    }

    /// A spawn request to this node itself: the same process and exit protocol, without the wire.
    private func spawnLocally(
        id: Reference, from process: LocalProcess, module: Atom, function: Atom, arguments: Term, monitor: Bool
    ) {
        let list: [Term] = if case .list(let list) = arguments { list } else { [] }
        let body = Self.spawnedBody(module: module, function: function, arguments: list, trace: nil)
        let gate = StartGate()
        let pid = spawn { spawned in
            await gate.wait()
            try await body(spawned)
        }
        if monitor, let spawned = processes.lookup(pid) {
            // The holder's side first, as for any local monitor.
            process.state.withLock {
                _ = $0.hold(id, HeldMonitor(target: pid, name: nil, node: name, route: .local))
            }
            spawned.state.withLock {
                _ = $0.acceptMonitor(id, by: Watcher(pid: process.pid, described: .pid(pid), route: .local))
            }
        }
        gate.open()
    }

    /// A `SPAWN_REPLY` for one of this node's requests: a pid completes the pending monitor (and
    /// link); an error goes to the requester as `{spawn_reply, Id, error, Reason}`. A reply to an
    /// abandoned request (the caller timed out) undoes the remote monitor and link.
    func handleSpawnReply(id: Reference, to: PID, flags: Int, result: Term, connection: DistributionConnection) {
        let process = processes.lookup(to)
        let route = SignalRoute(connection: connection.id)
        let pending: Bool
        if case .pid(let pid) = result {
            pending =
                process?.state.withLock { $0.resolveSpawn(id, pid: pid, linked: flags & 1 != 0, route: route) } ?? false
        } else {
            pending = process?.state.withLock { $0.acceptDown(id, route: route) } != nil
        }
        guard case .pid(let pid) = result else {
            if pending { process?.mailbox.enqueue(.message(.tuple(["spawn_reply", .reference(id), "error", result]))) }
            return
        }
        if !pending {
            if flags & 2 != 0 {
                _ = try? connection.enqueue(.demonitor(from: to, target: .pid(pid), reference: id), payload: nil)
            }
            if flags & 1 != 0 { _ = try? connection.enqueue(.unlink(from: to, to: pid), payload: nil) }
        }
    }
}

extension Term {
    /// The length of a proper list; 0 for anything else.
    fileprivate var listCount: Int {
        if case .list(let list) = self { list.count } else { 0 }
    }
}
