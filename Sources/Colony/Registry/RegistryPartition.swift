import ErlangTerm
import Synchronization

/// One partition of a ``Registry``: its ``RegistryTable`` behind its own mutex, so that operations
/// on different partitions never wait for each other.
///
/// Code that holds the lock never suspends and never takes another partition's lock.
final class RegistryPartition: Sendable {
    let table = Mutex(RegistryTable())

    /// Runs `body` with the table locked.
    @inline(__always)
    func withTable<Result, Failure: Error>(
        _ body: (inout RegistryTable) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try table.withLock { (table: inout RegistryTable) throws(Failure) -> Result in try body(&table) }
    }
}
