public import ErlangTerm

/// One write of a transaction or a single operation.
public enum StoreWrite: Hashable, Sendable {
    /// Sets `key`'s record (a bag adds `value` under it), expiring at `expiresAt` (ms since 1970).
    case put(table: String, key: Term, value: Term, expiresAt: Int64?)
    /// Deletes every record under `key`.
    case delete(table: String, key: Term)
    /// Deletes the record under `key` that has `value` (for a bag).
    case deleteObject(table: String, key: Term, value: Term)

    var table: String {
        switch self {
        case .put(let table, _, _, _), .delete(let table, _), .deleteObject(let table, _, _): table
        }
    }

    var term: Term {
        switch self {
        case .put(let table, let key, let value, let expiresAt):
            .tuple(["put", .string(table), key, value, expiresAt.map { .integer(Int($0)) } ?? "undefined"])
        case .delete(let table, let key):
            .tuple(["delete", .string(table), key])
        case .deleteObject(let table, let key, let value):
            .tuple(["delete_object", .string(table), key, value])
        }
    }

    init?(_ term: Term) {
        guard case .tuple(let parts) = term, parts.count >= 3, let table = parts[1].stringValue else { return nil }
        switch (parts[0], parts.count) {
        case ("put", 5):
            let expiresAt: Int64?
            switch parts[4] {
            case "undefined": expiresAt = nil
            case .integer(let value): expiresAt = Int64(value)
            default: return nil
            }
            self = .put(table: table, key: parts[2], value: parts[3], expiresAt: expiresAt)
        case ("delete", 3):
            self = .delete(table: table, key: parts[2])
        case ("delete_object", 4):
            self = .deleteObject(table: table, key: parts[2], value: parts[3])
        default:
            return nil
        }
    }
}

/// What a transaction read, checked when it commits: the version of a key's records, or of a
/// whole table when it scanned one.
public struct ReadCheck: Hashable, Sendable {
    /// The table.
    public var table: String
    /// The key read, or `nil` for the whole table.
    public var key: Term?
    /// The version seen (0 when the key was absent).
    public var version: UInt64

    var term: Term { .tuple([.string(table), key.map { .tuple([$0]) } ?? "table", .integer(Int(version))]) }

    init(table: String, key: Term?, version: UInt64) {
        self.table = table
        self.key = key
        self.version = version
    }

    init?(_ term: Term) {
        guard case .tuple(let parts) = term, parts.count == 3, let table = parts[0].stringValue,
            case .integer(let version) = parts[2], version >= 0
        else { return nil }
        switch parts[1] {
        case "table": key = nil
        case .tuple(let wrapped) where wrapped.count == 1: key = wrapped[0]
        default: return nil
        }
        self.table = table
        self.version = UInt64(version)
    }
}

/// A command in the replicated log. Each is applied on every replica in log order, with the
/// same result everywhere.
public enum StoreCommand: Hashable, Sendable {
    /// One write.
    case write(StoreWrite)
    /// Sets `key` to `new` if its value is `expected` (`nil`: if it has none), judging expiry by
    /// `now`, the leader's clock when it proposed the command (ms since 1970).
    case compareAndSet(table: String, key: Term, expected: Term?, new: Term, expiresAt: Int64?, now: Int64)
    /// Applies `writes` if every read in `checks` still sees the same version, else nothing.
    case transaction(checks: [ReadCheck], writes: [StoreWrite])
    /// Creates a table.
    case createTable(TableDefinition)
    /// Deletes a table and its records.
    case deleteTable(String)
    /// Deletes the records expired at `now` (the leader's clock, ms since 1970).
    case expire(now: Int64)

    /// The command as a term (its form in the log).
    public var term: Term {
        switch self {
        case .write(let write):
            write.term
        case .compareAndSet(let table, let key, let expected, let new, let expiresAt, let now):
            .tuple([
                "cas", .string(table), key, expected.map { .tuple([$0]) } ?? "none", new,
                expiresAt.map { .integer(Int($0)) } ?? "undefined", .integer(Int(now)),
            ])
        case .transaction(let checks, let writes):
            .tuple(["tx", .list(checks.map(\.term)), .list(writes.map(\.term))])
        case .createTable(let definition):
            .tuple(["create_table", definition.term])
        case .deleteTable(let name):
            .tuple(["delete_table", .string(name)])
        case .expire(let now):
            .tuple(["expire", .integer(Int(now))])
        }
    }

    /// The command a term stands for, or `nil`.
    public init?(_ term: Term) {
        if let write = StoreWrite(term) {
            self = .write(write)
            return
        }
        guard case .tuple(let parts) = term, let kind = parts.first?.atomValue else { return nil }
        switch (kind, parts.count) {
        case ("cas", 7):
            guard let table = parts[1].stringValue, case .integer(let now) = parts[6] else { return nil }
            let expected: Term?
            switch parts[3] {
            case "none": expected = nil
            case .tuple(let wrapped) where wrapped.count == 1: expected = wrapped[0]
            default: return nil
            }
            let expiresAt: Int64?
            switch parts[5] {
            case "undefined": expiresAt = nil
            case .integer(let value): expiresAt = Int64(value)
            default: return nil
            }
            self = .compareAndSet(
                table: table, key: parts[2], expected: expected, new: parts[4], expiresAt: expiresAt, now: Int64(now))
        case ("tx", 3):
            guard case .list(let checkTerms) = parts[1], case .list(let writeTerms) = parts[2] else { return nil }
            let checks = checkTerms.compactMap(ReadCheck.init)
            let writes = writeTerms.compactMap(StoreWrite.init)
            guard checks.count == checkTerms.count, writes.count == writeTerms.count else { return nil }
            self = .transaction(checks: checks, writes: writes)
        case ("create_table", 2):
            guard let definition = TableDefinition(parts[1]) else { return nil }
            self = .createTable(definition)
        case ("delete_table", 2):
            guard let name = parts[1].stringValue else { return nil }
            self = .deleteTable(name)
        case ("expire", 2):
            guard case .integer(let now) = parts[1] else { return nil }
            self = .expire(now: Int64(now))
        default:
            return nil
        }
    }
}
