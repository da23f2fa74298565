import Colony
import ColonyData
import ErlangTerm

/// The guide's `DistributedApp.CounterSupervisor`: a dynamic supervisor of counters, found by name
/// through `CounterRegistry`.
struct CounterSupervisor {
    let node: Node
    let registry: Registry
    let supervisor: DynamicSupervisorRef
    let replicator: Replicator

    /// `start_counter(name)`: a new counter under the dynamic supervisor.
    @discardableResult
    func startCounter(_ name: String) async throws -> PID {
        let registry = registry
        let replicator = replicator
        let spec = ChildSpec(id: .string(name)) { node, supervisor in
            try await node.startServer(
                DistributedCounter(name: name, replicator: replicator), name: .via(registry, .string(name)),
                link: supervisor)
        }
        return try await supervisor.startChild(spec)
    }

    /// `stop_counter(name)`: `false` when there is no such counter (`{:error, :not_found}`).
    func stopCounter(_ name: String) async throws -> Bool {
        guard let pid = registry.whereisName(.string(name)) else { return false }
        try await supervisor.terminateChild(pid)
        return true
    }

    /// `list_counters()`.
    func listCounters() -> [String] {
        registry.select { _ in true }.compactMap { $0.key.stringValue }.sorted()
    }

    /// `DistributedCounter.increment(name, amount)` and friends.
    func call(_ name: String, _ request: Term) async throws -> Term {
        try await node.call(.via(registry, .string(name)), request)
    }
}
