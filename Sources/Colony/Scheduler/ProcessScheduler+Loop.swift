import Synchronization

/// The scheduler threads' loop: run jobs, and when out of them search, steal, nap and sleep.
extension ProcessScheduler {
    /// How often (in jobs) a busy worker takes from the injection queue before its own, so that
    /// jobs from other threads are not starved by a thread that always has local work.
    private static let injectionCheckInterval: UInt64 = 61

    /// A worker thread's body; returns when the scheduler stops.
    func runWorker(_ worker: SchedulerWorker) {
        CurrentWorker.set(worker)
        defer { CurrentWorker.set(nil) }
        let executor = asUnownedTaskExecutor()
        var observations = StealObservations(workers: workers.count)
        while !stopping.load(ordering: .relaxed) {
            guard let job = nextJob(for: worker) ?? findWork(for: worker, &observations) else { continue }
            worker.started.bump()
            job.runSynchronously(on: executor)
        }
    }

    /// The worker's own queue first, the injection queue next (first, now and then).
    private func nextJob(for worker: SchedulerWorker) -> UnownedJob? {
        if worker.started.load(ordering: .relaxed) % Self.injectionCheckInterval == 0, let job = injection.pop() {
            return job
        }
        return worker.queue.pop() ?? injection.pop()
    }

    /// The idle path: search (spinning), then nap, then sleep, until a job turns up. Returns `nil`
    /// only when the scheduler stops.
    private func findWork(for worker: SchedulerWorker, _ observations: inout StealObservations) -> UnownedJob? {
        worker.state.store(.searching, ordering: .sequentiallyConsistent)
        searching.wrappingAdd(1, ordering: .sequentiallyConsistent)
        watching.wrappingAdd(1, ordering: .sequentiallyConsistent)
        var phaseStart = monotonicNanoseconds()
        while true {
            if stopping.load(ordering: .relaxed) {
                becomeRunning(worker)
                return nil
            }
            if let job = worker.queue.pop() ?? injection.pop() ?? steal(for: worker, &observations) {
                becomeRunning(worker)
                return job
            }
            let now = monotonicNanoseconds()
            switch worker.state.load(ordering: .sequentiallyConsistent) {
            case .woken:
                // Another thread woke this one and counted it as searching.
                worker.state.store(.searching, ordering: .sequentiallyConsistent)
                phaseStart = now
            case .searching:
                if now &- phaseStart < tuning.spin.nanoseconds {
                    yieldProcessor()
                    continue
                }
                worker.state.store(.napping, ordering: .sequentiallyConsistent)
                idle.wrappingAdd(1, ordering: .sequentiallyConsistent)
                searching.wrappingSubtract(1, ordering: .sequentiallyConsistent)
                phaseStart = now
            case .napping:
                if now &- phaseStart < tuning.linger.nanoseconds || anyQueueHoldsWork() {
                    worker.naps.bump()
                    worker.parker.park(timeout: tuning.nap)
                } else {
                    sleep(worker)
                }
            case .sleeping:
                // A wake-up permit left from an earlier nap, or the periodic look: the top of the
                // loop has just looked at the queues; sleep on.
                worker.parker.park(timeout: tuning.sleepRecheck)
            case .running:
                preconditionFailure("a searching worker is never marked running by another thread")
            }
        }
    }

    /// Napping → sleeping until woken, unless work appeared meanwhile.
    private func sleep(_ worker: SchedulerWorker) {
        if tuning.fallAsleepDelay > .zero {
            let end = monotonicNanoseconds() &+ tuning.fallAsleepDelay.nanoseconds
            while monotonicNanoseconds() < end {}
        }
        guard
            worker.state.compareExchange(expected: .napping, desired: .sleeping, ordering: .sequentiallyConsistent)
                .exchanged
        else { return }  // woken meanwhile
        watching.wrappingSubtract(1, ordering: .sequentiallyConsistent)
        // An enqueuer that saw this worker still watching did not wake anyone: look again.
        if anyQueueHoldsWork() {
            if worker.state.compareExchange(expected: .sleeping, desired: .napping, ordering: .sequentiallyConsistent)
                .exchanged
            {
                watching.wrappingAdd(1, ordering: .sequentiallyConsistent)
                return
            }
            // Woken meanwhile: the park below takes the waker's permit.
        }
        worker.sleeps.bump()
        worker.parker.park(timeout: tuning.sleepRecheck)
    }

    /// Ends the idle path: takes the worker out of the counts its state is in. An enqueuer that
    /// counted on this worker to notice its job did not wake anyone: if this was the last
    /// searcher (for the injection queue) or the last watcher (for the workers' queues) and work
    /// is waiting, another thread is woken to look.
    private func becomeRunning(_ worker: SchedulerWorker) {
        switch worker.state.exchange(.running, ordering: .sequentiallyConsistent) {
        case .searching, .woken:
            let watchers = watching.wrappingSubtract(1, ordering: .sequentiallyConsistent).newValue
            let searchers = searching.wrappingSubtract(1, ordering: .sequentiallyConsistent).newValue
            if (searchers <= 0 && injection.count > 0) || (watchers <= 0 && anyWorkerQueueHoldsWork()) {
                wakeOne()
            }
        case .napping:
            idle.wrappingSubtract(1, ordering: .sequentiallyConsistent)
            let watchers = watching.wrappingSubtract(1, ordering: .sequentiallyConsistent).newValue
            if watchers <= 0 && anyWorkerQueueHoldsWork() { wakeOne() }
        case .sleeping:
            idle.wrappingSubtract(1, ordering: .sequentiallyConsistent)
        case .running:
            break
        }
    }

    /// Whether any worker's own queue holds a job.
    private func anyWorkerQueueHoldsWork() -> Bool {
        workers.contains { $0.queue.count > 0 }
    }

    /// Whether the injection queue or any worker's queue holds a job.
    private func anyQueueHoldsWork() -> Bool {
        injection.count > 0 || anyWorkerQueueHoldsWork()
    }

    /// Takes work from another worker: half of a queue of two or more jobs, or a single job whose
    /// worker has been running the same job for at least the steal delay.
    private func steal(for thief: SchedulerWorker, _ observations: inout StealObservations) -> UnownedJob? {
        let count = workers.count
        guard count > 1 else { return nil }
        let now = monotonicNanoseconds()
        for offset in 1..<count {
            let victim = workers[(thief.index + offset) % count]
            let busyFor = observations.unchangedFor(
                victim.index, count: victim.started.load(ordering: .relaxed), now: now)
            let queued = victim.queue.count
            if queued >= 2 {
                var stolen = victim.queue.stealHalf()
                guard !stolen.isEmpty else { continue }
                let first = stolen.removeFirst()
                for job in stolen { thief.queue.push(job) }
                thief.stolen.store(
                    thief.stolen.load(ordering: .relaxed) &+ UInt64(stolen.count + 1), ordering: .relaxed)
                return first
            }
            if queued == 1 && busyFor >= tuning.stealDelay.nanoseconds, let job = victim.queue.pop() {
                thief.stolen.bump()
                return job
            }
        }
        return nil
    }

    /// Wakes one napping or sleeping worker and counts it as searching; `false` when none is idle.
    @discardableResult
    func wakeOne() -> Bool {
        guard idle.load(ordering: .sequentiallyConsistent) > 0 else { return false }
        for worker in workers {
            let state = worker.state.load(ordering: .relaxed)
            guard state == .napping || state == .sleeping else { continue }
            guard
                worker.state.compareExchange(expected: state, desired: .woken, ordering: .sequentiallyConsistent)
                    .exchanged
            else { continue }
            idle.wrappingSubtract(1, ordering: .sequentiallyConsistent)
            searching.wrappingAdd(1, ordering: .sequentiallyConsistent)
            if state == .sleeping { watching.wrappingAdd(1, ordering: .sequentiallyConsistent) }
            wakeUps.wrappingAdd(1, ordering: .relaxed)
            worker.parker.unpark()
            return true
        }
        return false
    }
}
