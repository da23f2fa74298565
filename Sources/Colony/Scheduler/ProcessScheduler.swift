public import Foundation
import Synchronization

/// Colony's scheduler: a fixed set of threads that run processes, in the manner of the BEAM's
/// schedulers.
///
/// It is a `TaskExecutor`: a process's task is started with it as its executor preference, so the
/// task and every job of it (a resumption from another process, a NIO event loop delivering a
/// remote message, a timer) run on these threads.
///
/// Each thread has its own run queue. A job made runnable on a scheduler thread (a process sends
/// to a parked one) goes to that thread's queue and wakes nobody: the sender usually parks soon
/// after, and the receiver then runs on the same thread with no context switch. A job from a
/// foreign thread goes to a shared injection queue and wakes a sleeping thread. A thread out of
/// work takes from its own queue, then the injection queue, then steals from another thread
/// (at once from a queue of two or more jobs; a single job only once its thread has been busy
/// with one job for a while), spins briefly, naps in short timed waits while other queues hold
/// work, and finally sleeps until woken.
///
/// Jobs run until they suspend: a process that never suspends keeps its thread. Other threads
/// steal the work queued behind it, so it delays others but cannot starve them while a thread is
/// free. Blocking calls on a scheduler thread take it out of service meanwhile.
public final class ProcessScheduler: TaskExecutor {
    /// The scheduler that nodes use unless told otherwise: one thread per active processor
    /// (`COLONY_SCHEDULER_THREADS` overrides the count).
    public static let shared: ProcessScheduler = {
        let configured = ProcessInfo.processInfo.environment["COLONY_SCHEDULER_THREADS"].flatMap(Int.init)
        return ProcessScheduler(threads: configured ?? ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// The number of scheduler threads.
    public var threadCount: Int { workers.count }

    let workers: [SchedulerWorker]
    /// Tells this scheduler's threads from another's.
    let identity: Int
    let tuning: SchedulerTuning
    /// Jobs from threads that are not this scheduler's.
    let injection = JobQueue()
    /// Workers spinning in search of work (and woken ones about to).
    let searching = Atomic<Int>(0)
    /// Workers that look at the other queues without being woken: searching or napping.
    let watching = Atomic<Int>(0)
    /// Workers napping or sleeping: those a wake-up can reach.
    let idle = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
    /// Wake-ups sent to napping or sleeping workers (from any thread).
    let wakeUps = Atomic<UInt64>(0)
    private let running: Mutex<Int>
    private let exited = ThreadParker()
    private static let identities = Atomic<Int>(0)

    /// Starts a scheduler with `threads` threads (at least one).
    ///
    /// - Parameters:
    ///   - threads: the number of scheduler threads; one per active processor is the usual choice.
    ///   - name: a prefix for the threads' names, as debuggers and `perf` show them.
    public convenience init(threads: Int = ProcessInfo.processInfo.activeProcessorCount, name: String = "colony") {
        self.init(threads: threads, name: name, tuning: SchedulerTuning())
    }

    init(threads: Int, name: String, tuning: SchedulerTuning) {
        let count = max(1, threads)
        self.tuning = tuning
        self.running = Mutex(count)
        let identity = Self.identities.wrappingAdd(1, ordering: .relaxed).newValue
        self.identity = identity
        self.workers = (0..<count).map { SchedulerWorker(index: $0, scheduler: identity) }
        for worker in workers {
            let threadName = "\(name)-sched-\(worker.index)"
            // Named from inside: Foundation on Linux names only the current thread.
            Thread { [self] in
                Thread.current.name = threadName
                self.runWorker(worker)
                self.workerExited()
            }.start()
        }
    }

    /// Runs `job` on a scheduler thread: the current thread's queue when called on one, else the
    /// injection queue (waking a thread if none is looking for work).
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if let worker = CurrentWorker.worker, worker.scheduler == identity {
            worker.queue.push(job)
            // Someone must notice if this thread stays busy: wake a sleeper when nobody watches.
            if watching.load(ordering: .sequentiallyConsistent) <= 0 { wakeOne() }
        } else {
            injection.push(job)
            if searching.load(ordering: .sequentiallyConsistent) <= 0 { wakeOne() }
        }
    }

    /// Whether the current thread is one of this scheduler's.
    public var isCurrentThread: Bool {
        CurrentWorker.worker?.scheduler == identity
    }

    /// What the threads have done so far (a snapshot; counters of running threads may lag).
    public var statistics: SchedulerStatistics {
        var total = SchedulerStatistics()
        for worker in workers {
            total.jobs &+= worker.started.load(ordering: .relaxed)
            total.stolen &+= worker.stolen.load(ordering: .relaxed)
            total.naps &+= worker.naps.load(ordering: .relaxed)
            total.sleeps &+= worker.sleeps.load(ordering: .relaxed)
        }
        total.wakeUps = wakeUps.load(ordering: .relaxed)
        return total
    }

    /// Stops the threads once their current jobs end, and waits for them. Jobs still queued never
    /// run: shut a scheduler down only when no task that prefers it is left. Never call it from
    /// one of the scheduler's own threads.
    public func shutdown() {
        precondition(!isCurrentThread, "a scheduler cannot shut itself down from its own thread")
        stopping.store(true, ordering: .sequentiallyConsistent)
        for worker in workers { worker.parker.unpark() }
        while running.withLock({ $0 }) > 0 { exited.park(timeout: .milliseconds(10)) }
    }

    private func workerExited() {
        running.withLock { $0 -= 1 }
        exited.unpark()
    }
}
