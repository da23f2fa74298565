import Colony
import ColonyStore
import ErlangTerm

/// The guide's `DistributedCache` (Mnesia, `cache_entries`), on Colony's store: the same calls,
/// with Raft's guarantees instead of Mnesia's. A write returns once a majority has it on disk; a
/// read sees every write that returned before it; the side of a partition without a majority
/// refuses writes instead of diverging; expiry runs on its own.
struct DistributedCache {
    static let table = "cache_entries"
    let store: Store

    /// `setup_cluster(nodes)`: a replica of the cache on each of `nodes` (disc copies under
    /// `directory`), then the table, created once. Call it once when setting up the cluster.
    static func setupCluster(_ nodes: [Node], directory: String) async throws -> [DistributedCache] {
        let members = nodes.map(\.name)
        var caches: [DistributedCache] = []
        for (index, node) in nodes.enumerated() {
            let settings = StoreSettings(group: "cache", voters: members, directory: "\(directory)/\(index)")
            caches.append(DistributedCache(store: try await Store.start(on: node, settings: settings)))
        }
        try await retrying {
            try await caches[0].store.createTable(TableDefinition(name: table), ifMissing: true)
        }
        return caches
    }

    /// A node not in the first list: its replica starts empty and waits to be added.
    static func standby(on node: Node, directory: String) async throws -> DistributedCache {
        DistributedCache(
            store: try await Store.start(on: node, settings: StoreSettings(group: "cache", directory: directory)))
    }

    /// `add_node_to_cluster(new_node)`: the new node receives the table and, once caught up, votes.
    func addNodeToCluster(_ newNode: Atom) async throws { try await store.addMember(newNode, kind: .disc) }

    /// `put(key, value, ttl_seconds)`.
    func put(_ key: Term, _ value: Term, ttl: Duration? = nil) async throws {
        try await store.put(Self.table, key, value, ttl: ttl)
    }

    /// `get(key)`: `nil` when missing or expired.
    func get(_ key: Term) async throws -> Term? { try await store.get(Self.table, key) }

    /// `delete(key)`.
    func delete(_ key: Term) async throws { try await store.delete(Self.table, key) }

    /// `keys()`: the keys not expired.
    func keys() async throws -> [Term] { try await store.keys(Self.table) }

    /// `cleanup_expired()`: deletes the expired entries now; returns how many.
    func cleanupExpired() async throws -> Int { try await store.expireNow() }

    /// Retries while the group elects its first leader.
    static func retrying(_ body: () async throws -> Void) async throws {
        for attempt in 0..<20 {
            do {
                return try await body()
            } catch StoreError.noQuorum where attempt < 19 {
                continue
            }
        }
    }
}
