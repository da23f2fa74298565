public import ErlangTerm

/// Which children a supervisor restarts when one of them ends and must be restarted (OTP's
/// `strategy`).
public enum SupervisorStrategy: Sendable, Hashable {
    /// Only that child.
    case oneForOne
    /// Every child: the others are stopped in reverse start order, then all are started again in
    /// start order. For children that cannot work without each other.
    case oneForAll
    /// That child and the children started after it: those are stopped in reverse start order,
    /// then started again in start order. For children that depend on the ones before them.
    case restForOne

    /// The OTP atom: `one_for_one`, `one_for_all` or `rest_for_one`.
    public var term: Term {
        switch self {
        case .oneForOne: "one_for_one"
        case .oneForAll: "one_for_all"
        case .restForOne: "rest_for_one"
        }
    }
}
