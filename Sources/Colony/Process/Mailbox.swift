import Synchronization

/// A process's mailbox: many senders, one receiver.
///
/// Senders append under a mutex; the receiver takes everything queued in one swap and works
/// through the batch without touching the lock again, so a busy receiver pays one lock round per
/// batch rather than per message. An empty mailbox parks its receiver on an
/// `UnsafeContinuation`; a sender that finds one resumes it.
final class Mailbox: Sendable {
    private struct State: ~Copyable {
        var queue: [Envelope] = []
        var waiter: UnsafeContinuation<Void, Never>?
        var closed = false
    }

    private let state = Mutex(State())

    init() {}

    /// Appends a message; returns `false` when the mailbox is closed (the process has exited).
    @discardableResult
    func enqueue(_ envelope: Envelope) -> Bool {
        let waiter: UnsafeContinuation<Void, Never>? = state.withLock { state in
            guard !state.closed else { return nil }
            state.queue.append(envelope)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
        return true
    }

    /// Takes every queued message, swapping in `spare` (an empty array with capacity to reuse).
    /// Returns an empty array when nothing is queued.
    func drain(swapping spare: inout [Envelope]) {
        state.withLock { state in
            swap(&state.queue, &spare)
        }
    }

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

    /// Whether messages are queued (for tests and introspection).
    var isEmpty: Bool { state.withLock { $0.queue.isEmpty } }
}
