public import ErlangTerm

/// A task started by a ``TaskSupervisor`` for a process that awaits its result (Elixir's
/// `%Task{}`). Await it from the process that started it.
public struct SupervisedTask: Sendable, Hashable {
    /// The task's process.
    public let pid: PID
    /// The monitor on the task, also the tag of its result message `{Reference, Result}`.
    public let reference: Reference

    /// What a finished task left.
    public enum Outcome: Sendable, Equatable {
        /// It returned this result.
        case value(Term)
        /// It ended with this reason before returning (`noconnection` when its node went down).
        case exit(Term)
    }

    /// Waits for the result (`Task.await/2`).
    ///
    /// - Throws: ``SupervisedTaskError/exited(_:)`` when the task failed or its node went down,
    ///   ``SupervisedTaskError/timeout`` when no result came in time (the task keeps running; use
    ///   ``shutdown(in:)`` to stop it).
    public func await(in process: ProcessContext, timeout: Duration? = .seconds(5)) async throws -> Term {
        switch try await yield(in: process, timeout: timeout) {
        case .value(let result)?: return result
        case .exit(let reason)?: throw SupervisedTaskError.exited(reason)
        case nil: throw SupervisedTaskError.timeout
        }
    }

    /// Waits up to `timeout` for the task to finish (`Task.yield/2`); `nil` if it has not.
    public func yield(in process: ProcessContext, timeout: Duration? = .zero) async throws -> Outcome? {
        let outcome = try await process.receive(timeout: timeout) { message -> Outcome? in
            guard case .tuple(let parts) = message, parts.count >= 2 else { return nil }
            if parts.count == 2 && parts[0] == .reference(reference) { return .value(parts[1]) }
            if parts.count == 5 && parts[0] == "DOWN" && parts[1] == .reference(reference) { return .exit(parts[4]) }
            return nil
        }
        if case .value = outcome { await process.demonitor(reference, flush: true) }
        return outcome
    }

    /// Stops the task if it is still running and returns its result if it had one
    /// (`Task.shutdown/2`, brutal).
    @discardableResult
    public func shutdown(in process: ProcessContext) async throws -> Outcome? {
        if let done = try await yield(in: process, timeout: .zero) { return done }
        await process.unlink(pid)
        await process.exit(pid, reason: .atom(ExitReasons.kill))
        let outcome = try await yield(in: process, timeout: .seconds(5))
        if case .exit(let reason)? = outcome, reason == .atom(ExitReasons.killed) { return nil }
        return outcome
    }
}

/// Why awaiting a task failed.
public enum SupervisedTaskError: Error, Sendable, Equatable {
    /// The task ended with this reason without a result.
    case exited(Term)
    /// No result within the timeout.
    case timeout
}
