public import ErlangTerm

/// Why a supervisor refused a request, with the reply term OTP's `supervisor` gives for it.
///
/// A supervisor that cannot be reached at all fails with ``GenServerCallError`` instead
/// (`noproc`, `timeout`, `nodedown`), as `gen_server:call` does.
public enum SupervisorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No child has that id (or pid, for a dynamic supervisor): `{error, not_found}`.
    case notFound
    /// The child is running; stop it first: `{error, running}`.
    case running
    /// The child is waiting for a restart that failed to be tried again: `{error, restarting}`.
    case restarting
    /// A running child already has the new spec's id: `{error, {already_started, Pid}}`.
    case alreadyStarted(PID)
    /// A stopped child already has the new spec's id: `{error, already_present}`.
    case alreadyPresent
    /// A dynamic supervisor already has its `maxChildren`: `{error, max_children}`.
    case maxChildren
    /// The start closure threw ``GenServerStartError/ignored`` (OTP's `{ok, undefined}`). A
    /// static supervisor keeps a non-temporary child in its list without a pid.
    case ignored
    /// The start closure failed; `reason` is the reason it gave.
    case startFailed(reason: Term)
    /// The request does not apply to this kind of supervisor (`{error, simple_one_for_one}` for
    /// a dynamic one), or a start closure cannot travel to the supervisor's node.
    case notSupported(Term)
    /// A reply this client does not understand.
    case unexpectedReply(Term)

    /// The OTP error term: the `Reason` of `{error, Reason}`.
    public var term: Term {
        switch self {
        case .notFound: "not_found"
        case .running: "running"
        case .restarting: "restarting"
        case .alreadyStarted(let pid): .tuple(["already_started", .pid(pid)])
        case .alreadyPresent: "already_present"
        case .maxChildren: "max_children"
        case .ignored: "ignore"
        case .startFailed(let reason): reason
        case .notSupported(let what): what
        case .unexpectedReply(let reply): .tuple(["unexpected_reply", reply])
        }
    }

    /// A sentence saying what went wrong.
    public var description: String {
        switch self {
        case .ignored: "the child's start was ignored"
        case .startFailed(let reason): "the child failed to start: \(reason)"
        case .unexpectedReply(let reply): "unexpected reply from the supervisor: \(reply)"
        default: "supervisor error: \(term)"
        }
    }
}
