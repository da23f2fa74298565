import ErlangTerm
import Synchronization

/// The calls a supervisor answers: the terms `supervisor.erl`'s API functions send, so that
/// `supervisor:which_children({Name, Node})` on an OTP node works against a Colony supervisor.
///
/// | Request | Reply |
/// | --- | --- |
/// | `which_children` | `[{Id, Pid \| restarting \| undefined, Type, []}]` |
/// | `count_children` | `[{specs, N}, {active, N}, {supervisors, N}, {workers, N}]` |
/// | `{terminate_child, Id}` | `ok`, `{error, not_found}` |
/// | `{restart_child, Id}` | `{ok, Pid}`, `{ok, undefined}`, `{error, running \| restarting \| not_found \| Reason}` |
/// | `{delete_child, Id}` | `ok`, `{error, running \| restarting \| not_found}` |
/// | `{get_childspec, Id}` | `{ok, #{id => Id, ...}}` (no `start`), `{error, not_found}` |
/// | `{start_child, Spec}` | `{ok, Pid}`, `{ok, undefined}`, `{error, {already_started, Pid}}`, `{error, already_present}`, `{error, {Reason, Spec}}` |
///
/// A start closure has no term form, so `start_child` takes only specs handed over in this OS
/// process (``PendingChildSpecs``); an Erlang child spec gets `{error, {not_supported, Spec}}`.
/// A dynamic supervisor takes pids where the table says `Id`, answers `{error, max_children}`
/// beyond its limit, and `{error, simple_one_for_one}` to `restart_child` and `delete_child`, as
/// OTP's `simple_one_for_one` does.
enum SupervisorRequest {
    case whichChildren
    case countChildren
    case terminateChild(Term)
    case restartChild(Term)
    case deleteChild(Term)
    case getChildSpec(Term)
    /// A Swift spec handed over through ``PendingChildSpecs``; `nil` when its token is unknown.
    case startChild(ChildSpec?)
    /// A `start_child` with anything else (an Erlang child spec).
    case startForeignChild(Term)

    init?(_ term: Term) {
        switch term {
        case "which_children": self = .whichChildren
        case "count_children": self = .countChildren
        case .tuple(let parts) where parts.count == 2:
            switch parts[0] {
            case "terminate_child": self = .terminateChild(parts[1])
            case "restart_child": self = .restartChild(parts[1])
            case "delete_child": self = .deleteChild(parts[1])
            case "get_childspec": self = .getChildSpec(parts[1])
            case "start_child":
                if let token = PendingChildSpecs.token(in: parts[1]) {
                    self = .startChild(PendingChildSpecs.take(token))
                } else {
                    self = .startForeignChild(parts[1])
                }
            default: return nil
            }
        default:
            return nil
        }
    }

    /// `{error, Reason}`.
    static func error(_ reason: Term) -> Term { .tuple(["error", reason]) }

    /// `ok` or `{error, Reason}`.
    static func reply(_ result: Result<Void, SupervisorError>) -> Term {
        switch result {
        case .success: .ok
        case .failure(let error): Self.error(error.term)
        }
    }
}

/// Hands a ``ChildSpec`` (which holds a closure, and so has no term form) from a
/// ``SupervisorRef/startChild(_:)`` caller to the supervisor process on the same node: the spec
/// waits here under a token, and the call carries `{start_child, {'$colony_child_spec', Token}}`.
/// The caller removes the entry when the call ends, whatever happened to it.
enum PendingChildSpecs {
    private static let specs = Mutex<[Int: ChildSpec]>([:])
    private static let counter = Atomic<Int>(0)
    private static let tag: Atom = "$colony_child_spec"

    /// Deposits `spec`; returns the term to send in its place.
    static func deposit(_ spec: ChildSpec) -> (token: Int, term: Term) {
        let token = counter.wrappingAdd(1, ordering: .relaxed).newValue
        specs.withLock { $0[token] = spec }
        return (token, .tuple([.atom(tag), .integer(token)]))
    }

    /// Takes the spec deposited under `token`, once.
    static func take(_ token: Int) -> ChildSpec? {
        specs.withLock { $0.removeValue(forKey: token) }
    }

    /// The token in `{'$colony_child_spec', Token}`.
    static func token(in term: Term) -> Int? {
        guard case .tuple(let parts) = term, parts.count == 2, parts[0] == .atom(tag) else { return nil }
        return parts[1].intValue
    }
}
