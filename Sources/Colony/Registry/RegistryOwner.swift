import ErlangTerm

/// The owner of one partition: a reactive process (``Node/spawnReactor(link:initial:_:)``, so it
/// holds no task while idle) that monitors every process with entries in its partition and removes
/// them when their `DOWN` message arrives.
///
/// Protocol (messages from the registry, sent straight into the owner's mailbox by the
/// registering caller, after the table has changed):
///
/// - `{'$colony_registry', watch, Pid}`: `Pid` got its first entry in the partition; monitor it.
/// - `{'$colony_registry', release, Pid}`: `Pid` lost its last entry; if it still has none, stop
///   watching it and drop the monitor.
/// - `{'DOWN', Ref, process, Pid, Reason}`: `Pid` ended (`noproc` if it had already ended when the
///   monitor was set up); remove all its entries. A `DOWN` whose reference is not the current
///   monitor of `Pid` is stale (a released monitor) and ignored.
///
/// Why this is enough: a registration changes the table first and sends `watch` after, so the
/// owner's monitor always covers an entry that is already there; a process that ends before the
/// monitor is set up yields a `noproc` `DOWN`, which removes it too. ``RegistryTable/watched``
/// makes sure one `watch` is sent per process and partition until the owner releases it.
enum RegistryOwner {
    /// The owner's state: the monitor it holds on each watched process.
    typealias Monitors = [PID: Reference]

    static let tag: Term = "$colony_registry"
    static let watchTag: Term = "watch"
    static let releaseTag: Term = "release"

    static func watch(_ pid: PID) -> Term { .tuple([tag, watchTag, .pid(pid)]) }
    static func release(_ pid: PID) -> Term { .tuple([tag, releaseTag, .pid(pid)]) }

    /// Starts the owner of `partition` on `node` and returns its process.
    static func spawn(on node: Node, for partition: RegistryPartition) -> LocalProcess {
        let pid = node.spawnReactor(initial: Monitors()) { monitors, message, process in
            await handle(message, monitors: &monitors, partition: partition, process: process)
            return .continue
        }
        // Nothing else knows the pid yet, so the process cannot have ended.
        return node.processes.lookup(pid)!
    }

    static func handle(
        _ message: Term, monitors: inout Monitors, partition: RegistryPartition, process: ProcessContext
    ) async {
        guard case .tuple(let fields) = message else { return }
        switch fields.count {
        case 3 where fields[0] == tag:
            guard case .pid(let pid) = fields[2] else { return }
            if fields[1] == watchTag {
                if monitors[pid] == nil { monitors[pid] = await process.monitor(pid) }
            } else if fields[1] == releaseTag, let reference = monitors[pid],
                partition.withTable({ $0.releaseIfIdle(pid) })
            {
                monitors[pid] = nil
                await process.demonitor(reference)
            }
        case 5 where fields[0] == "DOWN":
            guard case .reference(let reference) = fields[1], case .pid(let pid) = fields[3],
                monitors[pid] == reference
            else { return }
            monitors[pid] = nil
            partition.withTable { $0.removeAll(of: pid) }
        default:
            return
        }
    }
}
