import Colony
import ErlangTerm
import Synchronization

/// The registrar (OTP's `the_registrar`): one long-lived process per node that runs every
/// registration and unregistration in turn, each under global's lock on every known node. Being
/// one process, its lock releases and its next requests reach each node in order.
extension GlobalNames {
    struct RegistrarJob: Sendable {
        let body: @Sendable (ProcessContext) async -> Bool
        let done: CheckedContinuation<Bool, Never>
    }

    static let registrarTag: Atom = "$colony_registrar"

    /// Starts the registrar; it watches node events (for its calls) and ends on `stop`.
    func startRegistrar() -> PID {
        let pid = node.spawn { [self] process in
            while true {
                let message = try await process.receive()
                guard case .tuple(let t) = message, t.count == 2, t[0] == .atom(Self.registrarTag) else {
                    // Late answers to released locks, node events: nothing to do.
                    continue
                }
                if t[1] == "stop" { return }
                guard case .integer(let id) = t[1],
                    let job = registrarJobs.withLock({ $0.jobs.removeValue(forKey: id) })
                else { continue }
                job.done.resume(returning: await job.body(process))
            }
        }
        node.watchNodes(pid)
        return pid
    }

    /// Runs `body` in the registrar and returns its result; `false` if the registrar is gone.
    func withRegistrar(_ body: @escaping @Sendable (ProcessContext) async -> Bool) async -> Bool {
        guard let registrar = registrar.withLock({ $0 }) else { return false }
        return await withCheckedContinuation { continuation in
            let id = registrarJobs.withLock { state -> Int in
                defer { state.next += 1 }
                state.jobs[state.next] = RegistrarJob(body: body, done: continuation)
                return state.next
            }
            if !node.post(.tuple([.atom(Self.registrarTag), .integer(id)]), to: registrar),
                let job = registrarJobs.withLock({ $0.jobs.removeValue(forKey: id) })
            {
                job.done.resume(returning: false)
            }
        }
    }

    /// Stops the registrar; registrations still queued answer `false`.
    func stopRegistrar() async {
        guard let registrar = registrar.withLock({ $0 }) else { return }
        await node.send(.tuple([.atom(Self.registrarTag), "stop"]), to: registrar)
        let left = registrarJobs.withLock { state in
            defer { state.jobs = [:] }
            return Array(state.jobs.values)
        }
        for job in left { job.done.resume(returning: false) }
    }
}
