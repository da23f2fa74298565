import ErlangTerm
import Synchronization

/// Hands the outcome of a new server's `initialize` to the task waiting in `startServer`, exactly
/// once: the first outcome wins, later ones (the exit that follows a failed init) are dropped.
final class StartSignal: Sendable {
    private let continuation: Mutex<CheckedContinuation<PID, any Error>?>

    init(_ continuation: CheckedContinuation<PID, any Error>) {
        self.continuation = Mutex(continuation)
    }

    func finish(_ result: Result<PID, any Error>) {
        let waiting = continuation.withLock { pending in
            defer { pending = nil }
            return pending
        }
        waiting?.resume(with: result)
    }
}
