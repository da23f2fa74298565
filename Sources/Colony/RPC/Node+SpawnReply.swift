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
        if monitor {
            process.state.withLock { $0.monitors[id] = .init(target: nil, name: nil, node: target) }
        }
        guard let connection = await distribution.connection(to: target) else {
            if monitor, process.state.withLock({ $0.monitors.removeValue(forKey: id) }) != nil {
                process.mailbox.enqueue(
                    .message(Self.down(id, "undefined", .atom(ExitReasons.noconnection))))
            }
            return
        }
        // `reply` options stay on the requesting side (OTP's node filters its own spawn replies);
        // on the wire go only the options the spawning node acts on.
        let options: Term = monitor ? .list(["monitor"]) : .list([])
        let control = ControlMessage.spawnRequest(
            requestID: id, from: process.pid, groupLeader: process.pid, module: module, function: function,
            arity: arguments.listCount, options: options)
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
        let body = Self.spawnedBody(module: module, function: function, arguments: list)
        let gate = StartGate()
        let pid = spawn { spawned in
            await gate.wait()
            try await body(spawned)
        }
        if monitor, let spawned = processes.lookup(pid) {
            spawned.state.withLock { $0.monitoredBy[id] = (process.pid, .pid(pid)) }
            process.state.withLock { $0.monitors[id] = .init(target: pid, name: nil, node: name) }
        }
        gate.open()
    }

    /// A `SPAWN_REPLY` for one of this node's requests: a pid completes the pending monitor (and
    /// link); an error goes to the requester as `{spawn_reply, Id, error, Reason}`. A reply to an
    /// abandoned request (the caller timed out) undoes the remote monitor and link.
    func handleSpawnReply(id: Reference, to: PID, flags: Int, result: Term, connection: DistributionConnection) {
        let process = isLocal(to) ? processes.lookup(to) : nil
        let pending =
            process?.state.withLock { state -> Bool in
                guard var handle = state.monitors[id] else { return false }
                if case .pid(let pid) = result {
                    handle.target = pid
                    state.monitors[id] = handle
                    if flags & 1 != 0 { state.links.insert(pid) }
                } else {
                    state.monitors[id] = nil
                }
                return true
            } ?? false
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
