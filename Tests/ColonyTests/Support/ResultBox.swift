import Synchronization

/// One value handed from a process (or any task) to the test waiting for it, with a bounded wait.
final class ResultBox<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)

    /// Keeps the first value set.
    func set(_ newValue: Value) {
        value.withLock { if $0 == nil { $0 = newValue } }
    }

    /// The value, once set; `nil` when `timeout` passes first.
    func wait(timeout: Duration) async -> Value? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = value.withLock({ $0 }) { return value }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return value.withLock { $0 }
    }
}
