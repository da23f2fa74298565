import ErlangTerm

extension ProcessContext {
    /// Stops one child as OTP's `supervisor:shutdown/1` does and returns the reason it ended with.
    ///
    /// The child is monitored, not waited for through its link (a child that unlinked itself
    /// cannot hang the supervisor): `brutalKill` sends `kill`; the others send `shutdown` and
    /// wait for the `DOWN`, `timeout` only that long before sending `kill`. Then the link is
    /// removed and the child's `EXIT` message, which arrived before the `DOWN`, is taken out of
    /// the mailbox so that it is not mistaken for a new exit.
    ///
    /// - Throws: ``ProcessExit`` when this process is killed meanwhile.
    func shutdownChild(_ child: ChildStop) async throws -> Term {
        let reference = await monitor(child.pid)
        let reason: Term
        switch child.shutdown {
        case .brutalKill:
            await exit(child.pid, reason: .atom(ExitReasons.kill))
            reason = try await awaitDown(reference)
        case .infinity:
            await exit(child.pid, reason: .atom(ExitReasons.shutdown))
            reason = try await awaitDown(reference)
        case .timeout(let limit):
            await exit(child.pid, reason: .atom(ExitReasons.shutdown))
            if let ended = try await awaitDown(reference, within: limit) {
                reason = ended
            } else {
                await exit(child.pid, reason: .atom(ExitReasons.kill))
                reason = try await awaitDown(reference)
            }
        }
        return try await unlinkFlush(child.pid, default: reason)
    }

    /// Stops many children at once (a dynamic supervisor's): every one is sent its exit signal
    /// first, then the `DOWN`s are collected; a child whose `timeout` passes is killed.
    ///
    /// - Throws: ``ProcessExit`` when this process is killed meanwhile.
    func shutdownChildren(_ children: [ChildStop]) async throws {
        var pending: [Reference: (child: ChildStop, deadline: ContinuousClock.Instant?)] = [:]
        let start = ContinuousClock.now
        for child in children {
            let reference = await monitor(child.pid)
            switch child.shutdown {
            case .brutalKill:
                await exit(child.pid, reason: .atom(ExitReasons.kill))
                pending[reference] = (child, nil)
            case .infinity:
                await exit(child.pid, reason: .atom(ExitReasons.shutdown))
                pending[reference] = (child, nil)
            case .timeout(let limit):
                await exit(child.pid, reason: .atom(ExitReasons.shutdown))
                pending[reference] = (child, start + limit)
            }
        }
        while !pending.isEmpty {
            let next = pending.values.compactMap(\.deadline).min()
            let timeout = next.map { max(.zero, $0 - ContinuousClock.now) }
            let down = try await receive(timeout: timeout) { message -> (Reference, Term)? in
                guard let (reference, reason) = Self.down(message), pending[reference] != nil else { return nil }
                return (reference, reason)
            }
            if let (reference, reason) = down, let entry = pending.removeValue(forKey: reference) {
                _ = try await unlinkFlush(entry.child.pid, default: reason)
                continue
            }
            let now = ContinuousClock.now
            for (reference, entry) in pending {
                guard let deadline = entry.deadline, deadline <= now else { continue }
                await exit(entry.child.pid, reason: .atom(ExitReasons.kill))
                pending[reference]?.deadline = nil
            }
        }
    }

    /// The reason of the `DOWN` for `reference`, or `nil` after `limit`.
    private func awaitDown(_ reference: Reference, within limit: Duration) async throws -> Term? {
        try await receive(timeout: limit) { message -> Term? in
            guard let (down, reason) = Self.down(message), down == reference else { return nil }
            return reason
        }
    }

    /// The reason of the `DOWN` for `reference`, waiting as long as it takes.
    private func awaitDown(_ reference: Reference) async throws -> Term {
        while true {
            let reason = try await receive(timeout: nil) { message -> Term? in
                guard let (down, reason) = Self.down(message), down == reference else { return nil }
                return reason
            }
            if let reason { return reason }
        }
    }

    /// OTP's `unlink_flush/2`: unlinks `pid` and returns the reason of its `EXIT` message if one
    /// is queued (taking it out), or `reason`.
    private func unlinkFlush(_ pid: PID, default reason: Term) async throws -> Term {
        await unlink(pid)
        let exited = try await receive(timeout: .zero) { message -> Term? in
            guard case .tuple(let parts) = message, parts.count == 3, parts[0] == "EXIT", parts[1] == .pid(pid)
            else { return nil }
            return parts[2]
        }
        return exited ?? reason
    }

    /// `{'DOWN', Ref, process, _, Reason}` → (Ref, Reason).
    private static func down(_ message: Term) -> (Reference, Term)? {
        guard case .tuple(let parts) = message, parts.count == 5, parts[0] == "DOWN",
            case .reference(let reference) = parts[1]
        else { return nil }
        return (reference, parts[4])
    }
}
