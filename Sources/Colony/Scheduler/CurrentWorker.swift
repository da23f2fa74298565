#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The scheduler worker that the current thread runs, kept in thread-specific storage: the
/// executor asks it on every enqueue, to tell its own threads from foreign ones.
enum CurrentWorker {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "no thread-specific key for Colony's scheduler")
        return key
    }()

    /// The worker running on this thread, if any.
    static var worker: SchedulerWorker? {
        guard let pointer = pthread_getspecific(key) else { return nil }
        return Unmanaged<SchedulerWorker>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// Marks this thread as running `worker` (`nil` when it stops). The thread keeps the worker
    /// alive while it is set.
    static func set(_ worker: SchedulerWorker?) {
        pthread_setspecific(key, worker.map { Unmanaged.passUnretained($0).toOpaque() })
    }
}
