public import ErlangTerm

extension Store {
    /// Runs `body` as a serializable transaction and returns its result.
    ///
    /// Reads inside go to the leader (linearizable) and note the version of what they saw; writes
    /// are kept until `body` returns, then committed as one log entry that applies only if nothing
    /// read has changed since. A conflict runs `body` again, up to `retries` times, then throws
    /// ``StoreError/conflict``. `body` must not have effects outside the transaction, since it may
    /// run more than once.
    public func transaction<Result>(
        retries: Int = 20, _ body: (inout StoreTransaction) async throws -> Result
    ) async throws -> Result {
        var attempt = 0
        while true {
            var transaction = StoreTransaction(store: self)
            let result = try await body(&transaction)
            let command = StoreCommand.transaction(checks: transaction.checks, writes: transaction.writes)
            do {
                try expectOK(try await propose(command))
                return result
            } catch StoreError.conflict where attempt < retries {
                attempt += 1
                // Back off a little, at random, so that two conflicting transactions part ways.
                try await Task.sleep(for: .microseconds(Int.random(in: 0...(200 << min(attempt, 6)))))
            }
        }
    }
}

/// The reads and writes of one run of a ``Store/transaction(retries:_:)`` body. Reads see the
/// transaction's own writes first.
public struct StoreTransaction: Sendable {
    let store: Store
    private(set) var checks: [ReadCheck] = []
    private(set) var writes: [StoreWrite] = []
    /// What this transaction wrote, by table and key (`nil`: deleted).
    private var written: [String: [Term: [Term]?]] = [:]
    private var checkedTables: Set<String> = []

    init(store: Store) { self.store = store }

    /// The value under `key` (the first, for a bag), `nil` if none.
    public mutating func get(_ table: String, _ key: Term) async throws -> Term? {
        try await values(table, key).first
    }

    /// Every value under `key`.
    public mutating func values(_ table: String, _ key: Term) async throws -> [Term] {
        if let mine = written[table]?[key] { return mine ?? [] }
        let answer = try await store.read(.versioned(table: table, key: key), consistency: .linearizable)
        guard case .tuple(let parts) = answer, parts.count == 3, case .list(let values) = parts[1],
            case .integer(let version) = parts[2]
        else { throw StoreError.unexpected(answer) }
        if !checks.contains(where: { $0.table == table && $0.key == key }) {
            checks.append(ReadCheck(table: table, key: key, version: UInt64(version)))
        }
        return values
    }

    /// The table's keys, this transaction's writes included. The commit then checks that the
    /// table did not change at all, since another key appearing would change this answer.
    public mutating func keys(_ table: String) async throws -> [Term] {
        let answer = try await store.read(.versionedKeys(table: table), consistency: .linearizable)
        guard case .tuple(let parts) = answer, parts.count == 3, case .list(var keys) = parts[1],
            case .integer(let version) = parts[2]
        else { throw StoreError.unexpected(answer) }
        if checkedTables.insert(table).inserted {
            checks.append(ReadCheck(table: table, key: nil, version: UInt64(version)))
        }
        for (key, values) in written[table] ?? [:] {
            let present = keys.contains(key)
            if values == nil, present { keys.removeAll { $0 == key } }
            if values != nil, !present { keys.append(key) }
        }
        return keys
    }

    /// Writes `value` under `key` at commit, expiring after `ttl` if given.
    public mutating func put(_ table: String, _ key: Term, _ value: Term, ttl: Duration? = nil) {
        writes.append(.put(table: table, key: key, value: value, expiresAt: ttl.map(Store.milliseconds)))
        written[table, default: [:]][key] = .some([value])
    }

    /// Deletes every record under `key` at commit.
    public mutating func delete(_ table: String, _ key: Term) {
        writes.append(.delete(table: table, key: key))
        written[table, default: [:]][key] = .some(nil)
    }
}
