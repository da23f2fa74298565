import ErlangTerm

/// What a mailbox holds: an ordinary message, or a signal the runtime acts on before the process
/// sees it.
enum Envelope: Sendable {
    /// A message for `receive`.
    case message(Term)
    /// An exit signal from `from` (a linked process that ended, or `exit/2`). `linked` tells a
    /// link's exit (ignored when the reason is `normal`) from an explicit `exit/2`.
    case exit(from: PID, reason: Term, linked: Bool)
    /// A message that came with a caller's trace context: the label of its trace token (see
    /// `TraceToken`), read when the process handles the message.
    case traced(Term, label: Term)
}
