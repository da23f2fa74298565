/// How long an idle ``ProcessScheduler`` worker spins, naps and waits before it steals.
struct SchedulerTuning: Sendable {
    /// How long an out-of-work worker keeps looking without sleeping.
    var spin: Duration = .microseconds(20)
    /// One timed wait of a napping worker; between naps it looks for stuck work to steal.
    var nap: Duration = .microseconds(50)
    /// How long a worker naps before it sleeps until woken (while every queue is empty).
    var linger: Duration = .milliseconds(2)
    /// How long a sleeping thread sleeps before it looks at the queues by itself. A safety net: a
    /// wake-up lost to an interleaving the protocol did not foresee delays a job by this much at
    /// worst instead of stranding it until some unrelated event; at 50 looks a second per idle
    /// thread it costs nothing measurable.
    var sleepRecheck: Duration = .milliseconds(20)
    /// How long a single queued job must wait behind one running job before another worker
    /// steals it. A shorter wait moves processes between threads that would have run on the
    /// same one a moment later; a queue of two or more jobs is shared at once.
    var stealDelay: Duration = .microseconds(20)
    /// Tests only: a pause between a thread's last look for work and its going to sleep, which
    /// widens the race with an enqueuer that the wake-up protocol must win.
    var fallAsleepDelay: Duration = .zero
}
