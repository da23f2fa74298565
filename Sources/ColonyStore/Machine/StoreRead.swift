public import ErlangTerm

/// A read of the store's state. Linearizable reads run on the leader once it confirmed its
/// leadership; dirty reads run on any replica's local state.
public enum StoreRead: Hashable, Sendable {
    /// The values under `key`: `[]`, one for a set, several for a bag.
    case get(table: String, key: Term)
    /// The values under `key` and their version, for a transaction.
    case versioned(table: String, key: Term)
    /// The table's live keys (in term order for an ordered set).
    case keys(table: String)
    /// `{Key, Value}` of every record whose value matches `pattern`.
    case match(table: String, pattern: Pattern)
    /// The values of records whose indexed `field` equals `value`.
    case indexRead(table: String, field: Atom, value: Term)
    /// The table's version and live keys, for a transaction that scans.
    case versionedKeys(table: String)
    /// Every table's definition and record count.
    case tables

    var term: Term {
        switch self {
        case .get(let table, let key): .tuple(["get", .string(table), key])
        case .versioned(let table, let key): .tuple(["versioned", .string(table), key])
        case .keys(let table): .tuple(["keys", .string(table)])
        case .match(let table, let pattern): .tuple(["match", .string(table), pattern.term])
        case .indexRead(let table, let field, let value): .tuple(["index_read", .string(table), .atom(field), value])
        case .versionedKeys(let table): .tuple(["versioned_keys", .string(table)])
        case .tables: .tuple(["tables"])
        }
    }

    init?(_ term: Term) {
        guard case .tuple(let parts) = term, let kind = parts.first?.atomValue else { return nil }
        if kind == "tables", parts.count == 1 {
            self = .tables
            return
        }
        guard parts.count >= 2, let table = parts[1].stringValue else { return nil }
        switch (kind, parts.count) {
        case ("get", 3): self = .get(table: table, key: parts[2])
        case ("versioned", 3): self = .versioned(table: table, key: parts[2])
        case ("keys", 2): self = .keys(table: table)
        case ("match", 3): self = .match(table: table, pattern: Pattern(parts[2]))
        case ("index_read", 4):
            guard let field = parts[2].atomValue else { return nil }
            self = .indexRead(table: table, field: field, value: parts[3])
        case ("versioned_keys", 2): self = .versionedKeys(table: table)
        default: return nil
        }
    }
}
