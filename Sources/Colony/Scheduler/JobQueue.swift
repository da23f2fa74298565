import DequeModule
import Synchronization

/// A first-in, first-out queue of jobs behind a mutex, whose length can be read without the lock.
///
/// The length is updated inside the lock with a sequentially consistent operation: an enqueuer
/// that then reads the scheduler's idle counts, and an idle worker that announces itself and then
/// reads the lengths, cannot both miss each other (no lost wake-up).
final class JobQueue: Sendable {
    private let jobs = Mutex(Deque<UnownedJob>())
    private let length = Atomic<Int>(0)

    /// The number of queued jobs (a snapshot).
    var count: Int { length.load(ordering: .sequentiallyConsistent) }

    /// Appends a job.
    func push(_ job: UnownedJob) {
        jobs.withLock { jobs in
            jobs.append(job)
            length.wrappingAdd(1, ordering: .sequentiallyConsistent)
        }
    }

    /// Takes the oldest job; `nil` when the queue is empty.
    func pop() -> UnownedJob? {
        // Sequentially consistent: an idle worker's look after announcing itself must not be
        // reordered before the announcement (free on x86, one LDAR on ARM).
        guard length.load(ordering: .sequentiallyConsistent) > 0 else { return nil }
        return jobs.withLock { jobs in
            guard let job = jobs.popFirst() else { return nil }
            length.wrappingSubtract(1, ordering: .relaxed)
            return job
        }
    }

    /// Takes the older half of the queue (rounded up), for a worker that has run out of work.
    func stealHalf() -> [UnownedJob] {
        jobs.withLock { jobs in
            let taken = Array(jobs.prefix((jobs.count + 1) / 2))
            jobs.removeFirst(taken.count)
            length.wrappingSubtract(taken.count, ordering: .relaxed)
            return taken
        }
    }
}
