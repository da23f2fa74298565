import ErlangDistribution
import ErlangTerm

extension Node {
    /// Acts on a control message from another node. Runs on the connection's event loop: message
    /// delivery happens at once; anything that must answer over the network runs in a task.
    func handle(_ control: ControlMessage, payload: Term?, from connection: DistributionConnection) {
        switch control {
        case .send(let to), .sendSender(_, let to):
            if let payload { deliverLocal(payload, to: to) }
        case .registeredSend(_, let name):
            if let payload { processes.lookup(name: name)?.mailbox.enqueue(.message(payload)) }
        case .aliasSend(_, let alias):
            if let payload { aliases.lookup(alias)?.mailbox.enqueue(.message(payload)) }
        case .link(let from, let to):
            guard let process = processes.lookup(to), isLocal(to),
                process.state.withLock({ state -> Bool in
                    guard state.exitReason == nil else { return false }
                    state.links.insert(from)
                    return true
                })
            else {
                Task {
                    await connection.deliver(.exit(from: to, to: from, reason: .atom(ExitReasons.noproc)), payload: nil)
                }
                return
            }
        case .unlink(let from, let to):
            processes.lookup(to)?.state.withLock { _ = $0.links.remove(from) }
        case .unlinkID(let id, let from, let to):
            processes.lookup(to)?.state.withLock { _ = $0.links.remove(from) }
            Task { await connection.deliver(.unlinkIDAck(id: id, from: to, to: from), payload: nil) }
        case .unlinkIDAck:
            break
        case .exit(let from, let to, let reason):
            receiveExit(from: from, to: to, reason: reason, linked: true)
        case .payloadExit(let from, let to):
            receiveExit(from: from, to: to, reason: payload ?? .atom(ExitReasons.normal), linked: true)
        case .exit2(let from, let to, let reason):
            receiveExit(from: from, to: to, reason: reason, linked: false)
        case .payloadExit2(let from, let to):
            receiveExit(from: from, to: to, reason: payload ?? .atom(ExitReasons.normal), linked: false)
        case .monitor(let watcher, let target, let reference):
            receiveMonitor(watcher: watcher, target: target, reference: reference, connection: connection)
        case .demonitor(_, let target, let reference):
            let process: LocalProcess?
            switch target {
            case .pid(let pid): process = processes.lookup(pid)
            case .name(let name): process = processes.lookup(name: name)
            }
            process?.state.withLock { _ = $0.monitoredBy.removeValue(forKey: reference) }
        case .monitorExit(let from, let to, let reference, let reason):
            receiveDown(from: from, to: to, reference: reference, reason: reason, peer: Atom(connection.peerName))
        case .payloadMonitorExit(let from, let to, let reference):
            receiveDown(
                from: from, to: to, reference: reference, reason: payload ?? .atom(ExitReasons.normal),
                peer: Atom(connection.peerName))
        case .spawnRequest(let id, let from, _, let module, let function, _, let options):
            handleSpawnRequest(
                id: id, from: from, module: module, function: function, options: options, arguments: payload,
                connection: connection)
        case .spawnReply(let id, let to, let flags, let result):
            handleSpawnReply(id: id, to: to, flags: flags, result: result, connection: connection)
        case .groupLeader:
            break
        }
    }

    private func receiveExit(from: PID, to: PID, reason: Term, linked: Bool) {
        guard isLocal(to), let process = processes.lookup(to) else { return }
        if linked {
            guard process.state.withLock({ $0.links.remove(from) }) != nil else { return }
        }
        process.deliverExit(from: from, reason: reason, linked: linked)
    }

    private func receiveMonitor(
        watcher: PID, target: ControlMessage.MonitorTarget, reference: Reference, connection: DistributionConnection
    ) {
        let process: LocalProcess?
        let described: Term
        switch target {
        case .pid(let pid):
            process = isLocal(pid) ? processes.lookup(pid) : nil
            described = .pid(pid)
        case .name(let name):
            process = processes.lookup(name: name)
            described = .tuple([.atom(name), .atom(self.name)])
        }
        let added =
            process?.state.withLock { state -> Bool in
                guard state.exitReason == nil else { return false }
                state.monitoredBy[reference] = (watcher, described)
                return true
            } ?? false
        if !added {
            Task {
                await connection.deliver(
                    .monitorExit(from: target, to: watcher, reference: reference, reason: .atom(ExitReasons.noproc)),
                    payload: nil)
            }
        }
    }

    private func receiveDown(
        from: ControlMessage.MonitorTarget, to: PID, reference: Reference, reason: Term, peer: Atom
    ) {
        guard let process = processes.lookup(to),
            process.state.withLock({ $0.monitors.removeValue(forKey: reference) }) != nil
        else { return }
        let target: Term
        switch from {
        case .pid(let pid): target = .pid(pid)
        case .name(let name): target = .tuple([.atom(name), .atom(peer)])
        }
        process.mailbox.enqueue(.message(Self.down(reference, target, reason)))
    }

    /// The connection to `peer` went down: links to its processes break with `noconnection`,
    /// monitors on them fire, and its monitors on local processes are forgotten.
    func handleNodeDown(_ peer: Atom) async {
        let reason = Term.atom(ExitReasons.noconnection)
        for process in processes.all {
            let (brokenLinks, firedMonitors) = process.state.withLock { state -> ([PID], [(Reference, Term)]) in
                let links = state.links.filter { $0.node == peer }
                state.links.subtract(links)
                var fired: [(Reference, Term)] = []
                for (reference, handle) in state.monitors where handle.node == peer {
                    state.monitors[reference] = nil
                    let target: Term =
                        handle.name.map { .tuple([.atom($0), .atom(peer)]) } ?? handle.target.map(Term.pid)
                        ?? "undefined"
                    fired.append((reference, target))
                }
                state.monitoredBy = state.monitoredBy.filter { $0.value.watcher.node != peer }
                return (Array(links), fired)
            }
            for pid in brokenLinks { process.deliverExit(from: pid, reason: reason, linked: true) }
            for (reference, target) in firedMonitors {
                process.mailbox.enqueue(.message(Self.down(reference, target, reason)))
            }
        }
    }
}
