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
                self.terminate(process, reason: reason)
            }
        }
        return process.pid
    }

    /// Links a new process to `other` before it runs (`spawn_link`): at once for a local process
    /// (an exit signal `noproc` if it is gone); for a remote one over the open connection to its
    /// node, sending `LINK` before the process can send anything. Without an open connection the
    /// link breaks at once with `noconnection`: connecting would mean waiting, and the new process
    /// must not run before it is linked.
    func linkAtSpawn(_ process: LocalProcess, to other: PID) {
        if other.node == name {
            linkLocally(process, to: other)
        } else {
            linkRemotely(process, to: other, over: distribution.openConnection(to: other.node))
        }
    }
}
