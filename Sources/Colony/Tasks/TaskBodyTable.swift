public import ErlangTerm
import Synchronization

/// What a task runs: its process's context in, its result out.
public typealias TaskBody = @Sendable (ProcessContext) async throws -> Term

/// Closures on their way to a task supervisor on the same node. A closure cannot be a term, so a
/// caller leaves it here under a fresh reference and sends the supervisor the reference.
final class TaskBodyTable: Sendable {
    private let bodies = Mutex<[Reference: TaskBody]>([:])

    func put(_ body: @escaping TaskBody, under reference: Reference) {
        bodies.withLock { $0[reference] = body }
    }

    func take(_ reference: Reference) -> TaskBody? {
        bodies.withLock { $0.removeValue(forKey: reference) }
    }
}
