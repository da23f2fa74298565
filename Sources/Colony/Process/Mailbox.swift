import Synchronization

/// A process's mailbox: many senders, one receiver.
///
/// Senders append under a mutex; the receiver takes everything queued in one swap and works
/// through the batch without touching the lock again, so a busy receiver pays one lock round per
/// batch rather than per message.
///
/// Two kinds of receiver: a process running a `receive` loop parks on an `UnsafeContinuation`
/// when the mailbox is empty, and a sender that finds it parked resumes it; a reactive process
/// (``Node/spawnReactor(link:initial:_:)``) has no task at all while idle: the sender that finds
/// it idle calls `schedule`, which starts one drain task, and that task ends when the mailbox is
/// empty again.
final class Mailbox: Sendable {
    private struct State: ~Copyable {
        var queue: [Envelope] = []
        var waiter: UnsafeContinuation<Void, Never>?
        var closed = false
        /// Reactive mailboxes: a drain task is running or scheduled.
        var draining = false
    }

    private let state = Mutex(State())
    /// For a reactive mailbox: starts a drain task. `nil` for `receive`-loop processes.
    let schedule: (@Sendable () -> Void)?

    init(schedule: (@Sendable () -> Void)? = nil) {
        self.schedule = schedule
    }

    /// Appends a message; returns `false` when the mailbox is closed (the process has exited).
    @discardableResult
    func enqueue(_ envelope: Envelope) -> Bool {
        enum Wake {
            case none, resume(UnsafeContinuation<Void, Never>), schedule, closed
        }
        let wake: Wake = state.withLock { state in
            guard !state.closed else { return .closed }
            state.queue.append(envelope)
            if let waiter = state.waiter {
                state.waiter = nil
                return .resume(waiter)
            }
            if schedule != nil && !state.draining {
                state.draining = true
                return .schedule
            }
            return .none
        }
        switch wake {
        case .none: return true
        case .closed: return false
        case .resume(let waiter): waiter.resume()
        case .schedule: schedule?()
        }
        return true
    }

    /// Takes every queued message, swapping in `spare` (an empty array with capacity to reuse).
    /// Returns an empty array when nothing is queued.
    func drain(swapping spare: inout [Envelope]) {
        state.withLock { state in
            swap(&state.queue, &spare)
        }
    }

    /// Reactive mailboxes: takes every queued message, or, when none is queued, marks the mailbox
    /// idle (the next sender schedules a new drain) and returns `false`.
    func drainOrIdle(swapping spare: inout [Envelope]) -> Bool {
        state.withLock { state in
            if state.queue.isEmpty {
                state.draining = false
                return false
            }
            swap(&state.queue, &spare)
            return true
        }
    }

    /// An estimate of the bytes the queued messages hold, looking at no more than `budget`
    /// subterms (see `Term.estimatedBytes(budget:)`).
    func estimatedQueuedBytes(budget: Int) -> Int {
        state.withLock { state in
            var budget = budget
            var total = 0
            for envelope in state.queue {
                guard budget > 0 else { break }
                switch envelope {
                case .message(let term), .traced(let term, _): total += term.estimatedBytes(budget: &budget)
                case .exit(_, let reason, _): total += reason.estimatedBytes(budget: &budget)
                }
            }
            return total
        }
    }

    /// How many messages are queued right now.
    var count: Int { state.withLock { $0.queue.count } }

    /// Whether nothing is queued right now.
    var isEmpty: Bool { state.withLock { $0.queue.isEmpty } }

    /// Waits until a message is queued (or `wake()` is called). Returns at once if one is queued.
    func waitForMessage() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if !state.queue.isEmpty || state.closed { return true }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Resumes a parked receiver without a message (a timeout fired, or an exit signal arrived).
    func wake() {
        let waiter = state.withLock { state in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Refuses further messages and returns what was still queued.
    func close() -> [Envelope] {
        let (waiter, rest) = state.withLock { state in
            state.closed = true
            defer {
                state.waiter = nil
                state.queue = []
            }
            return (state.waiter, state.queue)
        }
        waiter?.resume()
        return rest
    }
}
