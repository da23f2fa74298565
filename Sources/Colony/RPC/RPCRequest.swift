public import ErlangTerm

/// A remote call in flight (`erpc:send_request` / `rpc:async_call`): wait for it with
/// ``result(in:timeout:)`` from the process that sent it.
public struct RPCRequest: Sendable, Hashable {
    /// The node the call runs on.
    public let node: Atom
    /// The spawn request's id, also the reference of the monitor on the remote process.
    public let requestID: Reference
    /// The tag the remote process puts in its exit reason.
    public let tag: Reference

    /// Waits for the result (`erpc:receive_response`, `rpc:yield`).
    ///
    /// - Throws: ``RPCError``.
    public func result(in process: ProcessContext, timeout: Duration? = nil) async throws -> Term {
        guard let result = try await poll(in: process, timeout: timeout) else {
            await process.demonitor(requestID, flush: true)
            throw RPCError.timeout
        }
        return try result.get()
    }

    /// Waits up to `timeout` (`rpc:nb_yield`); `nil` when the call has not finished (it goes on,
    /// and a later wait can still get its result).
    public func poll(in process: ProcessContext, timeout: Duration? = .zero) async throws -> Result<Term, RPCError>? {
        let id = Term.reference(requestID)
        return try await process.receive(timeout: timeout) { message -> Result<Term, RPCError>? in
            guard case .tuple(let parts) = message else { return nil }
            if parts.count == 4, parts[0] == "spawn_reply", parts[1] == id, parts[2] == "error" {
                return .failure(parts[3] == .atom(ExitReasons.noconnection) ? .noconnection : .refused(parts[3]))
            }
            if parts.count == 5, parts[0] == "DOWN", parts[1] == id { return Self.decode(parts[4], tag: tag) }
            return nil
        }
    }

    /// `erpc:result/4`: what the remote process's exit reason says.
    static func decode(_ reason: Term, tag: Reference) -> Result<Term, RPCError> {
        if reason == .atom(ExitReasons.noconnection) { return .failure(.noconnection) }
        guard case .tuple(let parts) = reason, parts.count >= 3, parts[0] == .reference(tag) else {
            return .failure(.signal(reason))
        }
        switch (parts[1], parts.count) {
        case (.atom("return"), 3): return .success(parts[2])
        case (.atom("throw"), 3): return .failure(.thrown(parts[2]))
        case (.atom("exit"), 3): return .failure(.exited(parts[2]))
        case (.atom("error"), 4): return .failure(.error(parts[2], stack: parts[3]))
        case (.atom("error"), 3): return .failure(.refused(parts[2]))
        default: return .failure(.signal(reason))
        }
    }
}
