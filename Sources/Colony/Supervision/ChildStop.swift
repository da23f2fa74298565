import ErlangTerm

/// A running child that a supervisor is to stop, and how: what a state machine hands its shell
/// in a directive.
struct ChildStop: Sendable, Hashable {
    /// The child's id (`undefined` for a dynamic supervisor's children).
    var id: Term
    /// The process to stop.
    var pid: PID
    /// How to stop it.
    var shutdown: ChildSpec.Shutdown
}
