/// Counts of what a ``ProcessScheduler``'s threads have done, for tuning and benchmarks.
public struct SchedulerStatistics: Sendable, CustomStringConvertible {
    /// Jobs run.
    public var jobs: UInt64 = 0
    /// Jobs taken from another thread's queue.
    public var stolen: UInt64 = 0
    /// Timed waits of napping threads.
    public var naps: UInt64 = 0
    /// Times a thread went to sleep until woken.
    public var sleeps: UInt64 = 0
    /// Wake-ups sent to napping or sleeping threads.
    public var wakeUps: UInt64 = 0

    /// All counts zero.
    public init() {}

    /// What happened between two snapshots.
    public static func - (later: SchedulerStatistics, earlier: SchedulerStatistics) -> SchedulerStatistics {
        var delta = SchedulerStatistics()
        delta.jobs = later.jobs &- earlier.jobs
        delta.stolen = later.stolen &- earlier.stolen
        delta.naps = later.naps &- earlier.naps
        delta.sleeps = later.sleeps &- earlier.sleeps
        delta.wakeUps = later.wakeUps &- earlier.wakeUps
        return delta
    }

    /// The counts on one line.
    public var description: String {
        "jobs \(jobs) stolen \(stolen) naps \(naps) sleeps \(sleeps) wake-ups \(wakeUps)"
    }
}
