public import ErlangTerm

extension Node {
    /// Starts a process that runs `body`, and returns its pid at once.
    ///
    /// The process ends when `body` returns (reason `normal`) or throws (``ProcessExit``'s reason,
    /// or `{swift_error, Description}` for any other error). Linked processes then get an exit
    /// signal and monitors a `DOWN` message.
    ///
    /// - Parameters:
    ///   - link: a process to link the new one to before it runs (`spawn_link`).
    ///   - body: the process's code. Its ``ProcessContext`` is its mailbox and identity.
    @discardableResult
    public func spawn(
        link: PID? = nil, _ body: @escaping @Sendable (ProcessContext) async throws -> Void
    ) -> PID {
        let process = processes.add(node: name, creation: creation)
        if let link { linkAtSpawn(process, to: link) }
        // The task is created while the lock is held, so that a kill arriving at once finds it.
        process.task.withLock { task in
            task = Task(executorPreference: taskExecutor) {
                let context = ProcessContext(process: process, node: self)
                var reason: Term = .atom(ExitReasons.normal)
                do {
                    try await body(context)
                } catch {
                    reason = ProcessExit.reason(for: error)
                }
                await self.terminate(process, reason: reason)
            }
        }
        return process.pid
    }

    /// Links a new process to `other` before it runs (`spawn_link`): at once for a local process
    /// (an exit signal `noproc` if it is gone), by a `LINK` message for a remote one.
    func linkAtSpawn(_ process: LocalProcess, to other: PID) {
        process.state.withLock { _ = $0.links.insert(other) }
        if isLocal(other) {
            let added =
                processes.lookup(other)?.state.withLock { state -> Bool in
                    guard state.exitReason == nil else { return false }
                    state.links.insert(process.pid)
                    return true
                } ?? false
            if !added {
                process.state.withLock { _ = $0.links.remove(other) }
                process.deliverExit(from: other, reason: .atom(ExitReasons.noproc), linked: true)
            }
        } else {
            let pid = process.pid
            Task {
                guard let connection = await self.distribution.connection(to: other.node) else {
                    await self.deliverExitSignal(
                        to: pid, from: other, reason: .atom(ExitReasons.noconnection), linked: true)
                    return
                }
                await connection.deliver(.link(from: pid, to: other), payload: nil)
            }
        }
    }

    /// Ends a process: closes its mailbox, removes it and its name, and sends exit signals to its
    /// links and `DOWN` messages to its monitors.
    func terminate(_ process: LocalProcess, reason: Term) async {
        _ = process.mailbox.close()
        let (links, watchers, held, name) = process.state.withLock { state in
            state.exitReason = reason
            defer {
                state.links = []
                state.monitoredBy = [:]
                state.monitors = [:]
            }
            return (state.links, state.monitoredBy, state.monitors, state.registeredName)
        }
        processes.remove(process, name: name)
        for other in links {
            await deliverExitSignal(to: other, from: process.pid, reason: reason, linked: true)
        }
        for (reference, monitor) in watchers {
            await deliverDown(to: monitor.watcher, reference: reference, target: monitor.target, reason: reason)
        }
        for (reference, handle) in held {
            await cancelMonitor(reference: reference, watcher: process.pid, handle: handle)
        }
    }
}
