import Colony
import Foundation

/// With `COLONY_SCHEDULER_STATS` set, prints to standard error what the node's scheduler did
/// since the last report (nothing for the global executor).
enum SchedulerReport {
    nonisolated(unsafe) private static var last = SchedulerStatistics()

    static func print(after section: String, node: Node) {
        guard ProcessInfo.processInfo.environment["COLONY_SCHEDULER_STATS"] != nil,
            case .scheduler(let scheduler) = node.execution
        else { return }
        let now = scheduler.statistics
        FileHandle.standardError.write(Data("SCHED \(section): \(now - last)\n".utf8))
        last = now
    }
}
