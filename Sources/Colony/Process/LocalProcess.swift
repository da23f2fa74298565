import ErlangTerm
import Synchronization

/// The runtime's side of one local process: its mailbox and its signal state (links, monitors,
/// flags; see ``ProcessSignals``).
///
/// The signal state lives behind one mutex; the mailbox has its own. The
/// process's own code runs in one task and reaches this object through its ``ProcessContext``.
final class LocalProcess: Sendable {
    let pid: PID
    let mailbox: Mailbox
    let state = Mutex(ProcessSignals())
    let task = Mutex<Task<Void, Never>?>(nil)
    /// Messages a selective receive took from the mailbox and skipped, for observers (written
    /// by the process's own task only).
    let savedCount = Atomic<Int>(0)
    /// Messages of a reactive process's current batch not yet handled, for observers (written by
    /// its drain task only).
    let batchRemaining = Atomic<Int>(0)

    /// A process; `schedule` makes its mailbox reactive (see ``Mailbox``).
    init(pid: PID, schedule: (@Sendable () -> Void)? = nil) {
        self.pid = pid
        self.mailbox = Mailbox(schedule: schedule)
    }

    /// Messages waiting for the process: queued, and taken from the queue but not yet handled
    /// (Erlang's `message_queue_len`). A moment's view, for observers.
    var messageQueueLength: Int {
        mailbox.count + savedCount.load(ordering: .relaxed) + batchRemaining.load(ordering: .relaxed)
    }

    /// `true` once the process has ended.
    var hasExited: Bool { state.withLock { $0.hasExited } }

    /// Whether exit signals are trapped.
    var trapsExits: Bool { state.withLock { $0.trapExit } }

    /// Delivers an exit signal. A `kill` from `exit/2` also cancels the task so that a process
    /// busy outside `receive` stops at its next suspension point.
    func deliverExit(from: PID, reason: Term, linked: Bool) {
        let untrappable = !linked && reason == .atom(ExitReasons.kill)
        guard mailbox.enqueue(.exit(from: from, reason: reason, linked: linked)) else { return }
        if untrappable || (!trapsExits && reason != .atom(ExitReasons.normal)) {
            task.withLock { $0?.cancel() }
        }
    }

    /// Puts what a signal operation produced into the mailbox: messages (`DOWN`) and exit signals.
    func deliver(_ signals: [Envelope]) {
        for signal in signals {
            switch signal {
            case .message, .traced: mailbox.enqueue(signal)
            case .exit(let from, let reason, let linked): deliverExit(from: from, reason: reason, linked: linked)
            }
        }
    }
}
