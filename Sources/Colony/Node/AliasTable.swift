import ErlangTerm
import Synchronization

/// Process aliases (OTP 24's `alias/0`): references that deliver to the process that made them,
/// until it removes them. `gen_server` replies travel this way.
final class AliasTable: Sendable {
    private let table = Mutex<[Reference: LocalProcess]>([:])

    func add(_ alias: Reference, for process: LocalProcess) {
        table.withLock { $0[alias] = process }
    }

    func remove(_ alias: Reference) {
        table.withLock { _ = $0.removeValue(forKey: alias) }
    }

    func lookup(_ alias: Reference) -> LocalProcess? {
        table.withLock { $0[alias] }
    }

    /// Removes every alias of a process that ended.
    func removeAll(of process: LocalProcess) {
        table.withLock { table in table = table.filter { $0.value !== process } }
    }
}
