import Foundation
import Testing

@testable import Colony

/// The scheduler on its own: where jobs run, stealing from a busy thread, and wake-ups.
@Suite("Process scheduler")
struct ProcessSchedulerTests {
    /// Tunings to run the wake-up tests under: the default, and one where an idle thread goes to
    /// sleep almost at once (so that nearly every job has to wake one).
    static let tunings: [SchedulerTuning] = [
        SchedulerTuning(),
        SchedulerTuning(spin: .zero, nap: .microseconds(10), linger: .zero, stealDelay: .microseconds(20)),
        SchedulerTuning(
            spin: .zero, nap: .microseconds(10), linger: .zero, stealDelay: .microseconds(20),
            fallAsleepDelay: .microseconds(100)),
    ]

    @Test("tasks started on a foreign thread run on the scheduler's threads", arguments: tunings)
    func foreignTasks(tuning: SchedulerTuning) async throws {
        let scheduler = ProcessScheduler(threads: 2, name: "test", tuning: tuning)
        defer { scheduler.shutdown() }
        let done = JobCounter()
        let onScheduler = JobCounter()
        onForeignThread {
            for _ in 0..<1000 {
                Task(executorPreference: scheduler) {
                    if scheduler.isCurrentThread { onScheduler.increment() }
                    done.increment()
                }
            }
        }
        #expect(try await eventually { done.count == 1000 })
        #expect(onScheduler.count == 1000)
    }

    @Test("a continuation resumed on a foreign thread resumes on the scheduler", arguments: tunings)
    func foreignResumption(tuning: SchedulerTuning) async throws {
        let scheduler = ProcessScheduler(threads: 2, name: "test", tuning: tuning)
        defer { scheduler.shutdown() }
        let done = JobCounter()
        let onScheduler = JobCounter()
        for _ in 0..<100 {
            Task(executorPreference: scheduler) {
                await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                    onForeignThread { continuation.resume() }
                }
                if scheduler.isCurrentThread { onScheduler.increment() }
                done.increment()
            }
        }
        #expect(try await eventually { done.count == 100 })
        #expect(onScheduler.count == 100)
    }

    @Test("a job queued behind a thread busy in one long job is stolen", arguments: tunings)
    func stealFromBusyThread(tuning: SchedulerTuning) async throws {
        let scheduler = ProcessScheduler(threads: 2, name: "test", tuning: tuning)
        defer { scheduler.shutdown() }
        let released = JobFlag()
        let finished = JobFlag()
        let sawRelease = JobFlag()
        Task(executorPreference: scheduler) {
            // Started on a scheduler thread: it goes to this thread's own queue.
            Task(executorPreference: scheduler) { released.set() }
            // Never suspends: only another thread can run the job queued above.
            if busyWait(for: .seconds(10), until: { released.isSet }) { sawRelease.set() }
            finished.set()
        }
        #expect(try await eventually { finished.isSet })
        #expect(sawRelease.isSet)
    }

    @Test("a queue of several jobs behind a busy thread is shared out")
    func stealHalf() async throws {
        let scheduler = ProcessScheduler(threads: 2, name: "test")
        defer { scheduler.shutdown() }
        let done = JobCounter()
        let finished = JobFlag()
        Task(executorPreference: scheduler) {
            for _ in 0..<100 {
                Task(executorPreference: scheduler) { done.increment() }
            }
            _ = busyWait(for: .seconds(10)) { done.count == 100 }
            finished.set()
        }
        #expect(try await eventually { finished.isSet })
        #expect(done.count == 100)
    }

    @Test(
        "no lost wake-ups: a lone foreign thread's round trips, with the scheduler's threads asleep between",
        arguments: tunings, [1, 2, 4])
    func loneForeignThread(tuning: SchedulerTuning, threads: Int) async throws {
        let scheduler = ProcessScheduler(threads: threads, name: "test", tuning: tuning)
        defer { scheduler.shutdown() }
        let timeouts = JobCounter()
        let finished = JobFlag()
        // One job at a time, each waited for: nothing else can rescue a lost wake-up, which would
        // show as a timed-out round.
        onForeignThread {
            let semaphore = DispatchSemaphore(value: 0)
            for round in 0..<3000 {
                Task(executorPreference: scheduler) { semaphore.signal() }
                if semaphore.wait(timeout: .now() + .seconds(2)) == .timedOut { timeouts.increment() }
                if round % 100 == 0 { usleep(3000) }  // past the linger: every thread sleeps
            }
            finished.set()
        }
        #expect(try await eventually(within: .seconds(120)) { finished.isSet })
        #expect(timeouts.count == 0)
    }

    @Test(
        "no lost wake-ups: a job queued behind a busy thread while the others fall asleep is stolen",
        arguments: tunings)
    func localJobWhileOthersFallAsleep(tuning: SchedulerTuning) async throws {
        let scheduler = ProcessScheduler(threads: 2, name: "test", tuning: tuning)
        defer { scheduler.shutdown() }
        let stranded = JobCounter()
        let finished = JobFlag()
        // Each round queues a job on a scheduler thread and keeps that thread busy until another
        // thread has run it; the pauses between rounds catch the other thread in every phase of
        // falling asleep. A missed wake-up strands the job until the busy wait gives up.
        onForeignThread {
            let semaphore = DispatchSemaphore(value: 0)
            for round in 0..<1500 {
                Task(executorPreference: scheduler) {
                    let ran = JobFlag()
                    Task(executorPreference: scheduler) { ran.set() }
                    if !busyWait(for: .seconds(2), until: { ran.isSet }) { stranded.increment() }
                    semaphore.signal()
                }
                semaphore.wait()
                usleep(UInt32(round * 7 % 300))
            }
            finished.set()
        }
        #expect(try await eventually(within: .seconds(120)) { finished.isSet })
        #expect(stranded.count == 0)
    }

    @Test(
        "no lost wake-ups: foreign threads and chains of local jobs at once, with threads falling asleep",
        arguments: tunings, [2, 4])
    func stress(tuning: SchedulerTuning, threads: Int) async throws {
        let scheduler = ProcessScheduler(threads: threads, name: "test", tuning: tuning)
        defer { scheduler.shutdown() }
        let foreignThreads = 4
        let rounds = 2000
        let timeouts = JobCounter()
        let finishedThreads = JobCounter()
        // Foreign threads: one job at a time, each waited for (with a bound), pausing now and then
        // so that the scheduler's threads go to sleep between jobs.
        for thread in 0..<foreignThreads {
            onForeignThread {
                let semaphore = DispatchSemaphore(value: 0)
                for round in 0..<rounds {
                    Task(executorPreference: scheduler) { semaphore.signal() }
                    if semaphore.wait(timeout: .now() + .seconds(5)) == .timedOut { timeouts.increment() }
                    if (round + thread) % 50 == 0 { usleep(UInt32(200 + 100 * thread)) }
                }
                finishedThreads.increment()
            }
        }
        // Chains on the scheduler: each job starts the next from a scheduler thread.
        let chainLinks = JobCounter()
        let chains = 8
        let length = 2000
        @Sendable func link(_ remaining: Int) {
            chainLinks.increment()
            guard remaining > 0 else { return }
            Task(executorPreference: scheduler) { link(remaining - 1) }
        }
        for _ in 0..<chains {
            Task(executorPreference: scheduler) { link(length - 1) }
        }
        #expect(try await eventually(within: .seconds(60)) { finishedThreads.count == foreignThreads })
        #expect(try await eventually { chainLinks.count == chains * length })
        #expect(timeouts.count == 0)
    }

    @Test("shutdown stops the threads")
    func shutdown() async throws {
        let scheduler = ProcessScheduler(threads: 3, name: "test")
        let done = JobFlag()
        Task(executorPreference: scheduler) { done.set() }
        #expect(try await eventually { done.isSet })
        scheduler.shutdown()
        #expect(scheduler.threadCount == 3)
    }
}
