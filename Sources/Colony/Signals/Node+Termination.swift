import ErlangDistribution
import ErlangTerm

extension Node {
    /// Ends a process: closes its mailbox, removes it and its name, sends exit signals to its
    /// links and `DOWN`s to its monitors, and cancels the monitors it held. Runs without
    /// suspending, so the exit signals leave in one go, in the ending process's thread, behind
    /// everything it sent while alive.
    func terminate(_ process: LocalProcess, reason: Term) {
        _ = process.mailbox.close()
        guard let end = process.state.withLock({ $0.terminate(reason: reason) }) else { return }
        processes.remove(process, name: end.registeredName)
        distribution.detach(process.pid, from: end.routes)
        let pid = process.pid
        for (other, route) in end.links {
            if route.isLocal {
                if let linked = processes.lookup(other),
                    linked.state.withLock({ $0.acceptLinkedExit(from: pid, route: .local) })
                {
                    linked.deliverExit(from: pid, reason: reason, linked: true)
                }
            } else if let connection = distribution.openConnection(for: route, to: other.node) {
                emit(exitSignal(from: pid, to: other, reason: reason, linked: true, on: connection), on: connection)
            }
        }
        for (reference, watcher) in end.watchers {
            if watcher.route.isLocal {
                if let holder = processes.lookup(watcher.pid),
                    holder.state.withLock({ $0.acceptDown(reference, route: .local) }) != nil
                {
                    holder.mailbox.enqueue(.message(downMessage(reference, watcher.described, reason)))
                }
            } else if let connection = distribution.openConnection(for: watcher.route, to: watcher.pid.node) {
                // A monitor by name is answered with the name, as the holder asked.
                let from: ControlMessage.MonitorTarget =
                    if case .tuple(let t) = watcher.described, t.count == 2, case .atom(let name) = t[0] {
                        .name(name)
                    } else {
                        .pid(pid)
                    }
                emit(
                    downSignal(from: from, to: watcher.pid, reference: reference, reason: reason, on: connection),
                    on: connection)
            }
        }
        for (reference, monitor) in end.monitors {
            cancelMonitor(reference, held: monitor, by: pid)
        }
    }

    /// A connection is gone: each process that had a link or monitor over it hears of each one
    /// that breaks (see ``ProcessSignals/connectionLost(_:)``). Runs on the connection's event loop.
    func connectionLost(_ route: SignalRoute, dependents: Set<PID>) {
        for pid in dependents {
            guard let process = processes.lookup(pid) else { continue }
            process.deliver(process.state.withLock { $0.connectionLost(route) })
        }
    }
}
