import Synchronization

/// Hands each value to every current subscriber's stream, in order; finishing ends them all.
/// The layers above use it for their event streams (membership changes, partitions, groups).
public final class Broadcast<Element: Sendable>: Sendable {
    private struct State: ~Copyable {
        var subscribers: [Int: AsyncStream<Element>.Continuation] = [:]
        var next = 0
    }

    private let state = Mutex(State())

    /// No subscribers yet.
    public init() {}

    /// The values from now on.
    public func subscribe() -> AsyncStream<Element> {
        let (stream, continuation) = AsyncStream<Element>.makeStream()
        let id = state.withLock { state -> Int in
            defer { state.next += 1 }
            state.subscribers[state.next] = continuation
            return state.next
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Hands `value` to every subscriber.
    public func yield(_ value: Element) {
        for subscriber in state.withLock({ Array($0.subscribers.values) }) { subscriber.yield(value) }
    }

    /// Ends every subscriber's stream (outside the lock: that runs their onTermination, which
    /// takes it).
    public func finish() {
        let subscribers = state.withLock { state in
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }
}
