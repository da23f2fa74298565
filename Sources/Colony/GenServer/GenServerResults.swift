public import ErlangTerm

/// What ``GenServer/initialize(process:)`` decides (OTP's `init/1` results).
public enum GenServerStart: Sendable, Equatable {
    /// Started; `start` returns the pid.
    case ready
    /// Started; ``GenServer/handleContinue(_:process:)`` runs with this term before any message.
    case readyThenContinue(Term)
    /// Not started, without error: `start` throws ``GenServerStartError/ignored`` and the process
    /// ends `normal` (OTP's `ignore`; a supervisor records the child as not running).
    case ignore
    /// Not started: `start` throws ``GenServerStartError/stopped(_:)`` and the process exits with
    /// this reason.
    case stop(Term)
}

/// What ``GenServer/handleCall(_:from:process:)`` decides.
public enum CallResult: Sendable, Equatable {
    /// Reply to the caller and wait for the next message.
    case reply(Term)
    /// Reply, then run ``GenServer/handleContinue(_:process:)`` with the second term.
    case replyThenContinue(Term, Term)
    /// No reply yet: the server answers later with ``ProcessContext/reply(to:_:)``.
    case noReply
    /// No reply yet; run ``GenServer/handleContinue(_:process:)`` first.
    case noReplyThenContinue(Term)
    /// Stop with `reason`; ``GenServer/terminate(reason:process:)`` runs, then `reply` (if any)
    /// goes to the caller.
    case stop(reason: Term, reply: Term?)
}

/// What ``GenServer/handleCast(_:process:)``, ``GenServer/handleInfo(_:process:)`` and
/// ``GenServer/handleContinue(_:process:)`` decide.
public enum GenServerAction: Sendable, Equatable {
    /// Wait for the next message.
    case noReply
    /// Run ``GenServer/handleContinue(_:process:)`` with this term before the next message.
    case `continue`(Term)
    /// Stop with this reason.
    case stop(Term)
}

/// Why ``Node/startServer(_:name:link:)`` did not start a server.
public enum GenServerStartError: Error, Sendable, Equatable {
    /// `initialize` returned `.ignore`.
    case ignored
    /// `initialize` returned `.stop(reason)` or threw; the process exited with `reason`.
    case stopped(Term)
    /// The name is already registered, to this process (OTP's `{already_started, Pid}`).
    case alreadyStarted(PID)
}
