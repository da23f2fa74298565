import ErlangTerm
import Synchronization

/// The runtime's side of one local process: its mailbox and its links, monitors and flags.
///
/// Every field that other processes touch lives behind one mutex; the mailbox has its own. The
/// process's own code runs in one task and reaches this object through its ``ProcessContext``.
final class LocalProcess: Sendable {
    struct State: ~Copyable {
        /// Processes linked to this one (local or remote).
        var links: Set<PID> = []
        /// Monitors that others hold on this process: reference → (watcher, how it was named).
        var monitoredBy: [Reference: (watcher: PID, target: Term)] = [:]
        /// Monitors this process holds: reference → the monitored process (or name, node).
        var monitors: [Reference: MonitorHandle] = [:]
        /// Whether exit signals become `{'EXIT', From, Reason}` messages.
        var trapExit = false
        /// The registered name, if any.
        var registeredName: Atom?
        /// Set once the process has ended.
        var exitReason: Term?
    }

    /// A monitor this process holds.
    struct MonitorHandle: Sendable {
        var target: PID?
        var name: Atom?
        var node: Atom
    }

    let pid: PID
    let mailbox: Mailbox
    let state = Mutex(State())
    let task = Mutex<Task<Void, Never>?>(nil)

    /// A process; `schedule` makes its mailbox reactive (see ``Mailbox``).
    init(pid: PID, schedule: (@Sendable () -> Void)? = nil) {
        self.pid = pid
        self.mailbox = Mailbox(schedule: schedule)
    }

    /// `true` once the process has ended.
    var hasExited: Bool { state.withLock { $0.exitReason != nil } }

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
}
