import Foundation

/// Puts one thread to sleep until another wakes it, like Rust's `thread::park`: a wake-up that
/// comes before the sleep is kept (one permit), so it is never lost.
final class ThreadParker: @unchecked Sendable {
    // `permit` is guarded by `condition`.
    private let condition = NSCondition()
    private var permit = false

    /// Sleeps until ``unpark()`` is called (returns at once if it already was), or until
    /// `timeout` has passed.
    func park(timeout: Duration? = nil) {
        let deadline = timeout.map { Date(timeIntervalSinceNow: Double($0.nanoseconds) / 1e9) }
        condition.lock()
        defer { condition.unlock() }
        while !permit {
            if let deadline {
                if !condition.wait(until: deadline) { break }
            } else {
                condition.wait()
            }
        }
        permit = false
    }

    /// Wakes the parked thread, or lets its next ``park(timeout:)`` return at once.
    func unpark() {
        condition.lock()
        permit = true
        condition.signal()
        condition.unlock()
    }
}
