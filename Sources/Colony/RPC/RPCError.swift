public import ErlangTerm

/// Why a remote call failed, with `erpc`'s distinctions.
public enum RPCError: Error, Sendable, Equatable {
    /// The node could not be reached, or went down before answering (`{erpc, noconnection}`).
    case noconnection
    /// No answer within the timeout (`{erpc, timeout}`); the remote process may still be running.
    case timeout
    /// The function threw this value (Erlang's `throw`).
    case thrown(Term)
    /// The function exited with this reason (`exit(Reason)`, a ``ProcessExit``).
    case exited(Term)
    /// The function raised this error, with its stack (`undef` for a function that does not exist
    /// there; `{swift_error, Description}` for a Swift error).
    case error(Term, stack: Term)
    /// The remote node refused to spawn (`notsup`, `system_limit`, ...) or rejected the request.
    case refused(Term)
    /// The remote process was killed by this exit signal before it answered.
    case signal(Term)

    /// The result `rpc:call/4` gives for this failure: `{badrpc, Reason}`, or the thrown value
    /// itself for a throw, as `rpc` does.
    public var rpcResult: Term {
        switch self {
        case .noconnection: .tuple(["badrpc", "nodedown"])
        case .timeout: .tuple(["badrpc", "timeout"])
        case .thrown(let value): value
        case .exited(let reason): .tuple(["badrpc", .tuple(["EXIT", reason])])
        case .error(let reason, let stack): .tuple(["badrpc", .tuple(["EXIT", .tuple([reason, stack])])])
        case .refused(let reason): .tuple(["badrpc", reason])
        case .signal(let reason): .tuple(["badrpc", .tuple(["EXIT", reason])])
        }
    }
}
