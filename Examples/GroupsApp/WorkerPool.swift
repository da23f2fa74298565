import Colony
import ColonyGroups
import ErlangTerm
import Synchronization

/// The guide's `WorkerPool`: workers on any node join the `pg` group `worker_pool`; work goes to a
/// random one (`dispatchWork`) or to all (`broadcastWork`).
final class WorkerPool: Sendable {
    static let group: Term = "worker_pool"
    let groups: ProcessGroups
    /// Work items the workers of this node have processed.
    let processed = Mutex(0)

    init(groups: ProcessGroups) {
        self.groups = groups
    }

    /// Starts a worker on this node: it joins the group and counts the work it gets.
    func startWorker() async throws -> PID {
        let pid = groups.node.spawn { [self] process in
            while true {
                let message = try await process.receive()
                guard case .tuple(let t) = message, t.count == 2 else { continue }
                if t[0] == "work" || t[0] == "broadcast_work" { processed.withLock { $0 += 1 } }
            }
        }
        try await groups.join(Self.group, [pid])
        return pid
    }

    /// Sends `work` to a random worker anywhere in the cluster; `nil` when there is none.
    func dispatchWork(_ work: Term) async -> PID? {
        guard let worker = groups.members(Self.group).randomElement() else { return nil }
        await groups.node.send(.tuple(["work", work]), to: worker)
        return worker
    }

    /// Sends `work` to every worker; returns how many got it.
    func broadcastWork(_ work: Term) async -> Int {
        let workers = groups.members(Self.group)
        for worker in workers { await groups.node.send(.tuple(["broadcast_work", work]), to: worker) }
        return workers.count
    }

    /// How many workers each node has.
    var workerDistribution: [Atom: Int] {
        Dictionary(grouping: groups.members(Self.group), by: \.node).mapValues(\.count)
    }
}
