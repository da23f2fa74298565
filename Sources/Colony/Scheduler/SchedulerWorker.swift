import Synchronization

/// One scheduler thread's share of a ``ProcessScheduler``: its run queue, and what other workers
/// read to decide whether to steal from it.
final class SchedulerWorker: Sendable {
    /// Where a worker is in its loop. Other threads change it only from `napping` or `sleeping`
    /// to `woken`; the worker itself makes every other change.
    enum State: UInt8, AtomicRepresentable {
        /// Running a job.
        case running
        /// Out of work, looking for some without sleeping (spinning).
        case searching
        /// Sleeping in short timed waits, looking for stuck work in between.
        case napping
        /// Sleeping until woken.
        case sleeping
        /// Woken by another thread: counted as searching already.
        case woken
    }

    /// The worker's position in the scheduler's worker list.
    let index: Int
    /// The scheduler the worker belongs to (threads of two schedulers must not mix queues).
    let scheduler: Int
    /// Jobs made runnable by this worker's own jobs.
    let queue = JobQueue()
    /// Where the worker's thread sleeps.
    let parker = ThreadParker()
    /// The number of jobs the worker has started: a thief that sees it unchanged for a while
    /// knows the worker is stuck in one long job while its queue waits.
    let started = Atomic<UInt64>(0)
    let state = Atomic<State>(.running)
    /// Counters that only this worker's thread writes (see ``SchedulerStatistics``).
    let stolen = Atomic<UInt64>(0)
    let naps = Atomic<UInt64>(0)
    let sleeps = Atomic<UInt64>(0)

    init(index: Int, scheduler: Int) {
        self.index = index
        self.scheduler = scheduler
    }
}

extension Atomic where Value == UInt64 {
    /// Adds one; for counters that a single thread writes (no read-modify-write needed).
    func bump() {
        store(load(ordering: .relaxed) &+ 1, ordering: .relaxed)
    }
}

/// What an idle worker remembers of the others, to tell a stuck worker from a busy one: the
/// started count it last saw for each, and since when (monotonic nanoseconds).
struct StealObservations {
    var started: [UInt64]
    var since: [UInt64]

    init(workers: Int) {
        started = Array(repeating: .max, count: workers)
        since = Array(repeating: 0, count: workers)
    }

    /// Records `count` for worker `index`; returns how long it has been unchanged.
    mutating func unchangedFor(_ index: Int, count: UInt64, now: UInt64) -> UInt64 {
        if started[index] != count {
            started[index] = count
            since[index] = now
        }
        return now &- since[index]
    }
}
