public import Colony
public import ErlangTerm
import Synchronization

/// How fresh a read must be.
public enum ReadConsistency: Sendable, Equatable {
    /// Linearizable: the leader confirms with a heartbeat round that it still leads, and answers
    /// once it has applied everything committed before the read began.
    case linearizable
    /// This replica's state as it is (Mnesia's dirty read): at once, possibly stale, and served
    /// on the minority side of a partition too.
    case local
}

/// A replicated store: tables of records kept by a Raft group of nodes, with transactions, TTLs
/// and change subscriptions. Mnesia's model, with Raft's guarantees: a write is acknowledged
/// once a majority stored it on disk, every read and transaction is linearizable, and the
/// minority side of a partition refuses writes (``StoreError/noQuorum``) instead of diverging.
///
/// Every node of the group runs ``start(on:settings:)`` with the same group name; requests made
/// on any of them go to the leader.
public final class Store: Sendable {
    /// The node.
    public let node: Node
    /// The settings it runs with.
    public let settings: StoreSettings
    /// The server process.
    public let pid: PID
    let hub: StoreHub

    private init(node: Node, settings: StoreSettings, pid: PID, hub: StoreHub) {
        self.node = node
        self.settings = settings
        self.pid = pid
        self.hub = hub
    }

    /// Starts this node's replica of the group `settings.group`: recovers a disc copy from its
    /// directory, then takes part in the group (a new group is formed by ``StoreSettings/voters``;
    /// a node not among them joins with ``join(via:kind:timeout:)``).
    public static func start(on node: Node, settings: StoreSettings) async throws -> Store {
        let hub = StoreHub(node: node.name.name)
        let server = try StoreServer(settings: settings, node: node, hub: hub)
        let pid = try await node.startServer(server, name: .local(settings.serverName))
        let store = Store(node: node, settings: settings, pid: pid, hub: hub)
        StoreTable.shared.add(store)
        store.registerFunctions()
        return store
    }

    /// Stops this node's replica (the group goes on without it; a disc copy resumes from its
    /// directory when started again).
    public func stop() async {
        StoreTable.shared.remove(self)
        try? await node.stopServer(.pid(pid), reason: "shutdown", timeout: .seconds(5))
        hub.finish()
    }

    /// What this replica knows: role, term, leader, indexes, members, tables.
    public var status: StoreStatus { hub.status.withLock { $0 } }

    /// The changes applied to `table` (every table when `nil`) on this replica, from now on.
    public func changes(table: String? = nil) -> AsyncStream<StoreChange> { hub.subscribe(table: table) }

    // MARK: - Schema and members

    /// Creates a table; with `ifMissing`, an existing one of the name is fine.
    public func createTable(_ definition: TableDefinition, ifMissing: Bool = false) async throws {
        do {
            try await expectOK(propose(.createTable(definition)))
        } catch StoreError.alreadyExists where ifMissing {
        }
    }

    /// Deletes a table and its records.
    public func deleteTable(_ name: String) async throws { try await expectOK(propose(.deleteTable(name))) }

    /// Every table's definition and record count.
    public func tables(consistency: ReadConsistency = .linearizable) async throws -> [(TableDefinition, Int)] {
        guard case .list(let items) = try await read(.tables, consistency: consistency) else { return [] }
        return items.compactMap { item in
            guard case .tuple(let parts) = item, parts.count == 2, let definition = TableDefinition(parts[0]),
                case .integer(let count) = parts[1]
            else { return nil }
            return (definition, count)
        }
    }

    /// Adds `member` to the group: it receives the log as a learner, and a `disc` member becomes
    /// a voter once it has caught up (Mnesia's `add_table_copy`, or the seed's
    /// `add_node_to_cluster`).
    public func addMember(_ member: Atom, kind: CopyKind = .disc) async throws {
        try await expectOK(call(.tuple(["add_member", .atom(member), .atom(Atom(kind.rawValue))])))
    }

    /// Removes `member` from the group.
    public func removeMember(_ member: Atom) async throws {
        try await expectOK(call(.tuple(["remove_member", .atom(member)])))
    }

    /// Asks the leader to hand over to `member` (a voter).
    public func transferLeadership(to member: Atom) async throws {
        try await expectOK(call(.tuple(["transfer_leader", .atom(member)])))
    }

    /// Joins the group through any of its members (`peer`): asks the leader to add this node, as
    /// a voter for a `disc` copy and a learner for a `ram` one (``StoreSettings/kind`` unless
    /// `kind` says otherwise; a `ram` copy never votes). This node's replica must be running
    /// (started with no ``StoreSettings/voters``).
    public func join(via peer: Atom, kind: CopyKind? = nil, timeout: Duration = .seconds(10)) async throws {
        let kind = kind ?? settings.kind
        guard kind == .ram || settings.kind == .disc else { throw StoreError.unexpected("a ram copy cannot vote") }
        let request: Term = .tuple(["add_member", .atom(node.name), .atom(Atom(kind.rawValue))])
        try await expectOK(call(request, on: peer, timeout: timeout))
    }

    // MARK: - Records

    /// Writes `value` under `key` (for a bag, adds it), expiring after `ttl` if given.
    public func put(_ table: String, _ key: Term, _ value: Term, ttl: Duration? = nil) async throws {
        try await expectOK(
            propose(.write(.put(table: table, key: key, value: value, expiresAt: ttl.map(Self.milliseconds)))))
    }

    /// The value under `key` (the first, for a bag), `nil` if none.
    public func get(_ table: String, _ key: Term, consistency: ReadConsistency = .linearizable) async throws -> Term? {
        try await values(table, key, consistency: consistency).first
    }

    /// Every value under `key` (one at most, except for a bag).
    public func values(_ table: String, _ key: Term, consistency: ReadConsistency = .linearizable) async throws
        -> [Term]
    {
        try Self.list(try await read(.get(table: table, key: key), consistency: consistency))
    }

    /// Deletes every record under `key`.
    public func delete(_ table: String, _ key: Term) async throws {
        try await expectOK(propose(.write(.delete(table: table, key: key))))
    }

    /// Deletes the record under `key` that has `value` (one of a bag's).
    public func deleteObject(_ table: String, _ key: Term, _ value: Term) async throws {
        try await expectOK(propose(.write(.deleteObject(table: table, key: key, value: value))))
    }

    /// Sets `key` to `new` if its value is `expected` (`nil`: if it has none); otherwise throws
    /// ``StoreError/mismatch(current:)`` with what it is.
    public func compareAndSet(_ table: String, _ key: Term, expected: Term?, new: Term, ttl: Duration? = nil)
        async throws
    {
        try await expectOK(
            propose(
                .compareAndSet(
                    table: table, key: key, expected: expected, new: new, expiresAt: ttl.map(Self.milliseconds), now: 0)
            ))
    }

    /// The table's keys (in term order for an ordered set).
    public func keys(_ table: String, consistency: ReadConsistency = .linearizable) async throws -> [Term] {
        try Self.list(try await read(.keys(table: table), consistency: consistency))
    }

    /// Every record whose value matches `pattern` (Mnesia's `match_object`).
    public func match(_ table: String, _ pattern: Pattern = .any, consistency: ReadConsistency = .linearizable)
        async throws -> [(key: Term, value: Term)]
    {
        try Self.list(try await read(.match(table: table, pattern: pattern), consistency: consistency)).compactMap {
            guard case .tuple(let pair) = $0, pair.count == 2 else { return nil }
            return (pair[0], pair[1])
        }
    }

    /// Folds over every record of the table, read at one point of the log.
    public func fold<Result>(
        _ table: String, _ initial: Result, consistency: ReadConsistency = .linearizable,
        _ next: (Result, Term, Term) throws -> Result
    ) async throws -> Result {
        try await match(table, .any, consistency: consistency).reduce(initial) { try next($0, $1.key, $1.value) }
    }

    /// The values whose indexed `field` is `value` (Mnesia's `index_read`).
    public func indexRead(_ table: String, field: Atom, value: Term, consistency: ReadConsistency = .linearizable)
        async throws -> [Term]
    {
        try Self.list(try await read(.indexRead(table: table, field: field, value: value), consistency: consistency))
    }

    /// Deletes the records expired by now (the leader's clock) at once, rather than at the next
    /// expiry round; returns how many keys lost records.
    @discardableResult
    public func expireNow() async throws -> Int {
        let answer = try await propose(.expire(now: 0))
        guard case .tuple(let parts) = answer, parts.count == 2, case .integer(let count) = parts[1] else {
            throw StoreError.unexpected(answer)
        }
        return count
    }

    // MARK: - Calls

    func propose(_ command: StoreCommand) async throws -> Term {
        try await call(.tuple(["propose", command.term]))
    }

    func read(_ read: StoreRead, consistency: ReadConsistency) async throws -> Term {
        guard consistency == .linearizable else {
            // A local read needs no message: this replica's tables, read under their lock.
            let answer = hub.machine.withLock { $0.evaluate(read, now: StoreServer.wallClock()) }
            if let error = StoreError(answer: answer) { throw error }
            return answer
        }
        return try await call(.tuple(["read", read.term]))
    }

    /// Calls the group's server here (or on `peer`); a call that times out is ``StoreError/noQuorum``.
    func call(_ request: Term, on peer: Atom? = nil, timeout: Duration? = nil) async throws -> Term {
        let server: ServerRef = peer.map { .remote(settings.serverName, node: $0) } ?? .name(settings.serverName)
        let deadline = ContinuousClock.now + (timeout ?? settings.requestTimeout + .seconds(1))
        while true {
            let answer: Term
            do {
                answer = try await node.call(server, request, timeout: max(.milliseconds(1), deadline - .now))
            } catch let error as GenServerCallError {
                switch error.reason {
                case .noproc: throw StoreError.notRunning
                default: throw StoreError.noQuorum
                }
            }
            // A replica removed from the group (which the request reached through a stale view of
            // the leader) took nothing: ask again, until the deadline.
            if answer == .tuple(["error", "not_member"]) {
                guard ContinuousClock.now + .milliseconds(50) < deadline else { throw StoreError.noQuorum }
                try await Task.sleep(for: .milliseconds(50))
                continue
            }
            if let error = StoreError(answer: answer) { throw error }
            return answer
        }
    }

    func expectOK(_ answer: Term) throws {
        guard answer == "ok" else { throw StoreError.unexpected(answer) }
    }

    static func list(_ answer: Term) throws -> [Term] {
        guard case .tuple(let parts) = answer, parts.count >= 2, parts[0] == "ok", case .list(let items) = parts[1]
        else {
            throw StoreError.unexpected(answer)
        }
        return items
    }

    /// `duration` in milliseconds, saturating (a TTL past ``StoreServer/maximumTTL`` is refused
    /// by the leader).
    static func milliseconds(_ duration: Duration) -> Int64 {
        let (scaled, overflow) = duration.components.seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return duration.components.seconds < 0 ? Int64.min : Int64.max }
        return scaled.addingReportingOverflow(duration.components.attoseconds / 1_000_000_000_000_000).partialValue
    }
}

/// The stores running in this process, by node, for the `colony_store` functions.
final class StoreTable: Sendable {
    static let shared = StoreTable()
    private let stores = Mutex<[ObjectIdentifier: [Store]]>([:])

    func add(_ store: Store) { stores.withLock { $0[ObjectIdentifier(store.node), default: []].append(store) } }

    func remove(_ store: Store) {
        stores.withLock { $0[ObjectIdentifier(store.node)]?.removeAll { $0 === store } }
    }

    /// The store of `group` on `node`, or the node's first when `group` is `nil`.
    func store(on node: Node, group: String? = nil) -> Store? {
        stores.withLock { all in
            let here = all[ObjectIdentifier(node)] ?? []
            return group.map { name in here.first { $0.settings.group == name } } ?? here.first
        }
    }
}
