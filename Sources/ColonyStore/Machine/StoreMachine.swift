public import ErlangTerm

/// The replicated state of a store: its tables and records. Pure and deterministic: every replica
/// applies the same commands in the same order and ends in the same state with the same results.
public struct StoreMachine: Sendable {
    private(set) var tables: [String: Table] = [:]
    /// The index of the last command applied.
    public private(set) var appliedIndex: UInt64 = 0

    /// Whether ``apply(_:index:)`` notes each change in ``changes`` (for subscribers).
    public var recordsChanges = false
    /// The changes applied since the caller last emptied it, when ``recordsChanges`` is on.
    public var changes: [StoreChange] = []

    /// An empty store.
    public init() {}

    /// Records with an expiry, over every table (the leader proposes `expire` while there are).
    public var expiringCount: Int { tables.values.reduce(0) { $0 + $1.expiring } }

    /// The definitions of the tables, by name.
    public var definitions: [String: TableDefinition] { tables.mapValues(\.definition) }

    /// Records per table.
    public var counts: [String: Int] { tables.mapValues(\.count) }

    // MARK: - Commands

    /// Applies `command`, the log's entry at `index`; returns the result for whoever proposed it:
    /// `ok`, `{ok, N}` or `{error, Reason}`.
    public mutating func apply(_ command: StoreCommand, index: UInt64) -> Term {
        appliedIndex = index
        switch command {
        case .write(let write):
            guard tables[write.table] != nil else { return Self.noTable(write.table) }
            perform(write, index: index)
            return "ok"
        case .compareAndSet(let table, let key, let expected, let new, let expiresAt, let now):
            guard let current = tables[table] else { return Self.noTable(table) }
            let found = current.lookup(key, now: now).first?.value
            guard found == expected else {
                return .tuple(["error", .tuple(["mismatch", found ?? "not_found"])])
            }
            perform(.put(table: table, key: key, value: new, expiresAt: expiresAt), index: index)
            return "ok"
        case .transaction(let checks, let writes):
            for name in Set(writes.map(\.table)).union(checks.map(\.table)) where tables[name] == nil {
                return Self.noTable(name)
            }
            for check in checks {
                let table = tables[check.table]!
                let version = check.key.map { table.version(of: $0) } ?? table.version
                guard version == check.version else { return .tuple(["error", "conflict"]) }
            }
            for write in writes { perform(write, index: index) }
            return "ok"
        case .createTable(let definition):
            guard tables[definition.name] == nil else { return .tuple(["error", "already_exists"]) }
            tables[definition.name] = Table(definition: definition, version: index)
            return "ok"
        case .deleteTable(let name):
            guard tables.removeValue(forKey: name) != nil else { return Self.noTable(name) }
            return "ok"
        case .expire(let now):
            var removed = 0
            for name in tables.keys.sorted() {
                let keys = tables[name]!.expire(now: now, version: index)
                removed += keys.count
                if recordsChanges {
                    changes += keys.map { StoreChange(table: name, key: $0, value: nil, kind: .expire, index: index) }
                }
            }
            return .tuple(["ok", .integer(removed)])
        }
    }

    private mutating func perform(_ write: StoreWrite, index: UInt64) {
        switch write {
        case .put(let table, let key, let value, let expiresAt):
            tables[table]?.put(key, StoredRecord(value: value, version: index, expiresAt: expiresAt))
            if recordsChanges {
                changes.append(StoreChange(table: table, key: key, value: value, kind: .put, index: index))
            }
        case .delete(let table, let key):
            tables[table]?.delete(key, version: index)
            if recordsChanges {
                changes.append(StoreChange(table: table, key: key, value: nil, kind: .delete, index: index))
            }
        case .deleteObject(let table, let key, let value):
            tables[table]?.deleteObject(key, value: value, version: index)
            if recordsChanges {
                changes.append(StoreChange(table: table, key: key, value: value, kind: .delete, index: index))
            }
        }
    }

    static func noTable(_ name: String) -> Term { .tuple(["error", .tuple(["no_table", .string(name)])]) }

    // MARK: - Reads

    /// Evaluates `read` on this state, with records expired at `now` (ms since 1970) left out.
    public func evaluate(_ read: StoreRead, now: Int64) -> Term {
        if case .tables = read {
            return .list(
                tables.values.sorted { $0.definition.name < $1.definition.name }.map {
                    .tuple([$0.definition.term, .integer($0.count)])
                })
        }
        let name: String
        switch read {
        case .get(let table, _), .versioned(let table, _), .keys(let table), .match(let table, _),
            .indexRead(let table, _, _), .versionedKeys(let table):
            name = table
        case .tables:
            name = ""
        }
        guard let table = tables[name] else { return Self.noTable(name) }
        switch read {
        case .get(_, let key):
            return .tuple(["ok", .list(table.lookup(key, now: now).map(\.value))])
        case .versioned(_, let key):
            return .tuple([
                "ok", .list(table.lookup(key, now: now).map(\.value)), .integer(Int(table.version(of: key))),
            ])
        case .keys:
            return .tuple(["ok", .list(table.keys(now: now))])
        case .versionedKeys:
            return .tuple(["ok", .list(table.keys(now: now)), .integer(Int(table.version))])
        case .match(_, let pattern):
            var found: [Term] = []
            for key in table.keys(now: now) {
                for record in table.lookup(key, now: now) where pattern.matches(record.value) {
                    found.append(.tuple([key, record.value]))
                }
            }
            return .tuple(["ok", .list(found)])
        case .indexRead(_, let field, let value):
            guard let keys = table.keys(field: field, value: value) else {
                return .tuple(["error", .tuple(["no_index", .atom(field)])])
            }
            let values = keys.sorted { Term.compare($0, $1) < 0 }.flatMap { key in
                table.lookup(key, now: now).filter { Table.field(field, of: $0.value) == value }.map(\.value)
            }
            return .tuple(["ok", .list(values)])
        case .tables:
            return .list([])
        }
    }

    // MARK: - Snapshots

    /// The whole state as bytes (External Term Format).
    public func snapshot() throws -> [UInt8] {
        let tableTerms: [Term] = tables.values.sorted { $0.definition.name < $1.definition.name }.map { table in
            let records: [Term] = table.records.map { key, stored in
                .tuple([
                    key,
                    .list(
                        stored.map {
                            .tuple([
                                $0.value, .integer(Int($0.version)),
                                $0.expiresAt.map { .integer(Int($0)) } ?? "undefined",
                            ])
                        }),
                ])
            }
            let modified: [Term] = table.lastModified.map { .tuple([$0.key, .integer(Int($0.value))]) }
            return .tuple([table.definition.term, .integer(Int(table.version)), .list(records), .list(modified)])
        }
        return try ETF.encode(.tuple(["colony_store", 1, .integer(Int(appliedIndex)), .list(tableTerms)]))
    }

    /// The state `bytes` (from ``snapshot()``) hold.
    public init(snapshot bytes: [UInt8]) throws(StoreSnapshotError) {
        // Records sit six levels deeper in a snapshot than in the command that wrote them, and a
        // command's value may go as deep as the wire allows: read snapshots with room to spare.
        var options = ETFDecodingOptions()
        options.maximumDepth = 2 * options.maximumDepth
        guard let term = try? ETF.decode(bytes, options: options), case .tuple(let parts) = term, parts.count == 4,
            parts[0] == "colony_store", parts[1] == 1, case .integer(let applied) = parts[2],
            case .list(let tableTerms) = parts[3]
        else { throw StoreSnapshotError() }
        appliedIndex = UInt64(max(0, applied))
        for tableTerm in tableTerms {
            guard case .tuple(let fields) = tableTerm, fields.count == 4, let definition = TableDefinition(fields[0]),
                case .integer(let version) = fields[1], case .list(let recordTerms) = fields[2]
            else { throw StoreSnapshotError() }
            var table = Table(definition: definition, version: 0)
            for recordTerm in recordTerms {
                guard case .tuple(let pair) = recordTerm, pair.count == 2, case .list(let storedTerms) = pair[1] else {
                    throw StoreSnapshotError()
                }
                for storedTerm in storedTerms {
                    guard case .tuple(let stored) = storedTerm, stored.count == 3, case .integer(let at) = stored[1]
                    else { throw StoreSnapshotError() }
                    let expiresAt: Int64? = if case .integer(let value) = stored[2] { Int64(value) } else { nil }
                    table.put(
                        pair[0], StoredRecord(value: stored[0], version: UInt64(max(0, at)), expiresAt: expiresAt))
                }
            }
            guard case .list(let modifiedTerms) = fields[3] else { throw StoreSnapshotError() }
            for modified in modifiedTerms {
                guard case .tuple(let pair) = modified, pair.count == 2, case .integer(let at) = pair[1] else {
                    throw StoreSnapshotError()
                }
                table.restoreModified(pair[0], UInt64(max(0, at)))
            }
            table.restoreVersion(UInt64(max(0, version)))
            tables[definition.name] = table
        }
    }
}

/// A snapshot that does not decode as a store's state.
public struct StoreSnapshotError: Error, Sendable, CustomStringConvertible {
    public var description: String { "the store snapshot does not decode" }
}
