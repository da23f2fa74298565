public import Colony
import ErlangTerm
import Synchronization

/// The node events the demo's node has seen, with a bounded wait for one.
public final class DemoEvents: Sendable {
    private let seen = Mutex<[NodeEvent]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// Starts collecting `node`'s events.
    public init(_ node: Node) {
        let stream = node.monitorNodes()
        let collecting = Task { [weak self] in
            for await event in stream { self?.seen.withLock { $0.append(event) } }
        }
        task.withLock { $0 = collecting }
    }

    deinit { task.withLock { $0?.cancel() } }

    /// Every event so far.
    public var all: [NodeEvent] { seen.withLock { $0 } }

    /// How many events seen so far `match` accepts.
    public func count(where match: (NodeEvent) -> Bool) -> Int {
        seen.withLock { $0.filter(match).count }
    }

    /// Waits (bounded) until `match` accepts `count` events seen so far; whether it did.
    public func wait(timeout: Duration, count: Int = 1, for match: (NodeEvent) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if self.count(where: match) >= count { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return self.count(where: match) >= count
    }
}

/// Hands one result from a process to the task waiting for it.
final class ResultSlot<Value: Sendable>: Sendable {
    private let result = Mutex<Result<Value, any Error>?>(nil)

    func set(_ value: Result<Value, any Error>) {
        result.withLock { if $0 == nil { $0 = value } }
    }

    func wait(timeout: Duration) async throws -> Value {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let result = result.withLock({ $0 }) { return try result.get() }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw DemoFailure("no answer within \(timeout)")
    }
}
