import ErlangTerm

/// What ``SupervisorStateMachine`` asks its shell to do after an event.
enum SupervisorDirective: Sendable, Hashable {
    /// Nothing.
    case none
    /// Stop these children, one after another in this order; then start the children with these
    /// ids, in this order, reporting each outcome (``SupervisorStateMachine/childRestarted(_:pid:)``
    /// or ``SupervisorStateMachine/childRestartFailed(_:)``) before starting the next. A failed
    /// start ends the list: the ones after it stay stopped until the retry.
    case restart(stop: [ChildStop], start: [Term])
    /// A restart failed: try the child with this id again once the messages already queued have
    /// been handled (OTP casts `{try_again_restart, Id}` to itself).
    case retryLater(Term)
    /// The restart intensity is exceeded: stop these children in this order (reverse start
    /// order), then exit with reason `shutdown`.
    case shutdown(stop: [ChildStop])
}

/// What ``DynamicSupervisorStateMachine`` asks its shell to do after an event.
enum DynamicSupervisorDirective: Sendable, Hashable {
    /// Nothing.
    case none
    /// Start the child known by this key (the pid it last ran as) again and report the outcome.
    case restart(PID)
    /// A restart failed: try the child with this key again once the messages already queued have
    /// been handled.
    case retryLater(PID)
    /// The restart intensity is exceeded: stop these children and exit with reason `shutdown`.
    case shutdown(stop: [ChildStop])
}
