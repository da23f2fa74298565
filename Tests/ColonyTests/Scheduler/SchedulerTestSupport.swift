import Foundation
import Synchronization

/// A counter that jobs on any thread bump.
final class JobCounter: Sendable {
    private let value = Atomic<Int>(0)

    var count: Int { value.load(ordering: .sequentiallyConsistent) }

    func increment() {
        value.wrappingAdd(1, ordering: .sequentiallyConsistent)
    }
}

/// A flag that jobs on any thread set.
final class JobFlag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }

    func set() {
        value.store(true, ordering: .sequentiallyConsistent)
    }
}

/// Polls `condition` until it holds (`true`) or `limit` has passed (`false`): a lost job shows as
/// a failed expectation, never as a hung test.
func eventually(within limit: Duration = .seconds(20), _ condition: @Sendable () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        if ContinuousClock.now > deadline { return false }
        try await Task.sleep(for: .milliseconds(2))
    }
    return true
}

/// Spins (without suspending) until `condition` holds or `limit` passes; keeps the thread busy.
func busyWait(for limit: Duration, until condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        if ContinuousClock.now > deadline { return false }
    }
    return true
}

/// Runs `body` on a new thread that is none of any scheduler's.
func onForeignThread(_ body: @escaping @Sendable () -> Void) {
    Thread(block: body).start()
}
