import ErlangDistribution
import ErlangTerm

/// What a monitor watches, as the caller named it.
enum MonitorTarget: Sendable {
    case pid(PID)
    case name(Atom, node: Atom)
}

extension Node {
    /// Links `a` (a local process) and `b`.
    func link(_ a: PID, _ b: PID) async {
        guard let process = processes.lookup(a), a != b else { return }
        let isNew = process.state.withLock { $0.links.insert(b).inserted }
        guard isNew else { return }
        if isLocal(b) {
            let linked =
                processes.lookup(b)?.state.withLock { state -> Bool in
                    guard state.exitReason == nil else { return false }
                    state.links.insert(a)
                    return true
                } ?? false
            if !linked {
                process.state.withLock { _ = $0.links.remove(b) }
                process.deliverExit(from: b, reason: .atom(ExitReasons.noproc), linked: true)
            }
            return
        }
        guard let connection = await distribution.connection(to: b.node) else {
            process.state.withLock { _ = $0.links.remove(b) }
            process.deliverExit(from: b, reason: .atom(ExitReasons.noconnection), linked: true)
            return
        }
        await connection.deliver(.link(from: a, to: b), payload: nil)
    }

    /// Removes the link between `a` (local) and `b`.
    func unlink(_ a: PID, _ b: PID) async {
        guard let process = processes.lookup(a) else { return }
        guard process.state.withLock({ $0.links.remove(b) }) != nil else { return }
        if isLocal(b) {
            processes.lookup(b)?.state.withLock { _ = $0.links.remove(a) }
        } else if let connection = distribution.openConnection(to: b.node) {
            await connection.deliver(
                connection.supportsUnlinkID
                    ? .unlinkID(id: Int(distribution.nextUnlinkID()), from: a, to: b) : .unlink(from: a, to: b),
                payload: nil)
        }
    }

    /// Starts a monitor held by `watcher` (local) on `target`.
    func monitor(watcher: PID, target: MonitorTarget) async -> Reference {
        guard let process = processes.lookup(watcher) else { return makeReference() }
        return await monitor(holder: process, target: target)
    }

    /// Starts a monitor held by the local process `process` on `target` (no table lookup for the
    /// holder: a process's own context already has it).
    func monitor(holder process: LocalProcess, target: MonitorTarget) async -> Reference {
        let reference = makeReference()
        let watcher = process.pid
        switch target {
        case .pid(let pid) where isLocal(pid):
            // The holder's side first: a target that ends right after it records the monitor
            // delivers its DOWN only to a holder that already knows the reference.
            process.state.withLock { $0.monitors[reference] = .init(target: pid, name: nil, node: name) }
            let added =
                processes.lookup(pid)?.state.withLock { state -> Bool in
                    guard state.exitReason == nil else { return false }
                    state.monitoredBy[reference] = (watcher, .pid(pid))
                    return true
                } ?? false
            if !added {
                process.state.withLock { _ = $0.monitors.removeValue(forKey: reference) }
                process.mailbox.enqueue(.message(Self.down(reference, .pid(pid), .atom(ExitReasons.noproc))))
            }
        case .name(let registered, let node) where node == name:
            let described: Term = .tuple([.atom(registered), .atom(name)])
            let target = processes.lookup(name: registered)
            if let target {
                // The holder's side first, as for a pid.
                process.state.withLock {
                    $0.monitors[reference] = .init(target: target.pid, name: registered, node: name)
                }
            }
            let added =
                target?.state.withLock { state -> Bool in
                    guard state.exitReason == nil else { return false }
                    state.monitoredBy[reference] = (watcher, described)
                    return true
                } ?? false
            if !added {
                process.state.withLock { _ = $0.monitors.removeValue(forKey: reference) }
                process.mailbox.enqueue(.message(Self.down(reference, described, .atom(ExitReasons.noproc))))
            }
        case .pid(let pid):
            await monitorRemote(process, reference, .pid(pid), node: pid.node, described: .pid(pid))
        case .name(let registered, let node):
            await monitorRemote(
                process, reference, .name(registered), node: node, described: .tuple([.atom(registered), .atom(node)]))
        }
        return reference
    }

    private func monitorRemote(
        _ process: LocalProcess, _ reference: Reference, _ target: ControlMessage.MonitorTarget, node: Atom,
        described: Term
    ) async {
        guard let connection = await distribution.connection(to: node) else {
            process.mailbox.enqueue(.message(Self.down(reference, described, .atom(ExitReasons.noconnection))))
            return
        }
        let handle: LocalProcess.MonitorHandle
        switch target {
        case .pid(let pid): handle = .init(target: pid, name: nil, node: node)
        case .name(let n): handle = .init(target: nil, name: n, node: node)
        }
        process.state.withLock { $0.monitors[reference] = handle }
        await connection.deliver(.monitor(from: process.pid, target: target, reference: reference), payload: nil)
    }

    /// Removes a monitor held by `watcher`.
    func demonitor(watcher: PID, reference: Reference) async {
        guard let process = processes.lookup(watcher) else { return }
        await demonitor(holder: process, reference: reference)
    }

    /// Removes a monitor held by the local process `process`.
    func demonitor(holder process: LocalProcess, reference: Reference) async {
        guard let handle = process.state.withLock({ $0.monitors.removeValue(forKey: reference) }) else { return }
        await cancelMonitor(reference: reference, watcher: process.pid, handle: handle)
    }

    /// Tells the monitored side that a monitor is gone.
    func cancelMonitor(reference: Reference, watcher: PID, handle: LocalProcess.MonitorHandle) async {
        if handle.node == name {
            if let target = handle.target {
                processes.lookup(target)?.state.withLock { _ = $0.monitoredBy.removeValue(forKey: reference) }
            }
            return
        }
        guard let connection = distribution.openConnection(to: handle.node) else { return }
        let target: ControlMessage.MonitorTarget = handle.target.map { .pid($0) } ?? .name(handle.name ?? "undefined")
        await connection.deliver(.demonitor(from: watcher, target: target, reference: reference), payload: nil)
    }

    /// Sends an exit signal from `from` to `target` (`exit(Pid, Reason)`).
    func exit(_ target: PID, reason: Term, from: PID) async {
        await deliverExitSignal(to: target, from: from, reason: reason, linked: false)
    }

    /// Delivers an exit signal, locally or over the connection to the target's node.
    func deliverExitSignal(to target: PID, from: PID, reason: Term, linked: Bool) async {
        if isLocal(target) {
            guard let process = processes.lookup(target) else { return }
            if linked {
                // The link is gone on both sides once the exit signal is sent.
                guard process.state.withLock({ $0.links.remove(from) }) != nil else { return }
            }
            process.deliverExit(from: from, reason: reason, linked: linked)
            return
        }
        guard target.node != name, let connection = distribution.openConnection(to: target.node) else {
            return
        }
        if linked {
            await connection.deliver(
                connection.supportsExitPayload
                    ? .payloadExit(from: from, to: target) : .exit(from: from, to: target, reason: reason),
                payload: connection.supportsExitPayload ? reason : nil)
        } else {
            await connection.deliver(
                connection.supportsExitPayload
                    ? .payloadExit2(from: from, to: target) : .exit2(from: from, to: target, reason: reason),
                payload: connection.supportsExitPayload ? reason : nil)
        }
    }

    /// Delivers a `DOWN` message for a monitor whose target ended.
    func deliverDown(to watcher: PID, reference: Reference, target: Term, reason: Term) async {
        if isLocal(watcher) {
            guard let process = processes.lookup(watcher),
                process.state.withLock({ $0.monitors.removeValue(forKey: reference) }) != nil
            else { return }
            process.mailbox.enqueue(.message(Self.down(reference, target, reason)))
            return
        }
        guard let connection = distribution.openConnection(to: watcher.node) else { return }
        let from: ControlMessage.MonitorTarget
        switch target {
        case .pid(let pid): from = .pid(pid)
        case .tuple(let t) where t.count == 2: from = .name(t[0].atomValue ?? "undefined")
        default: return
        }
        if connection.supportsExitPayload {
            await connection.deliver(
                .payloadMonitorExit(from: from, to: watcher, reference: reference), payload: reason)
        } else {
            await connection.deliver(
                .monitorExit(from: from, to: watcher, reference: reference, reason: reason), payload: nil)
        }
    }

    /// `{'DOWN', Ref, process, Target, Reason}`.
    static func down(_ reference: Reference, _ target: Term, _ reason: Term) -> Term {
        .tuple(["DOWN", .reference(reference), "process", target, reason])
    }
}
