import ErlangTerm

/// A table's records, with its secondary indexes.
struct Table: Sendable {
    var definition: TableDefinition
    /// Records by key: one for `set` and `orderedSet`, one per distinct value for `bag`.
    private(set) var records: [Term: [StoredRecord]] = [:]
    /// For each indexed field: field value → keys whose records have it.
    private var indexes: [Atom: [Term: Set<Term>]] = [:]
    /// The log index of the last write to the table (a transaction that scanned checks it).
    private(set) var version: UInt64 = 0
    /// Records with an expiry.
    private(set) var expiring = 0
    /// The log index of the last change of each key's records, deleted keys included, so that a
    /// transaction that read a key sees any change to it (a bag's deleted record, a re-created
    /// key) as a conflict.
    private(set) var lastModified: [Term: UInt64] = [:]

    init(definition: TableDefinition, version: UInt64) {
        self.definition = definition
        self.version = version
        for field in definition.indexes { indexes[field] = [:] }
    }

    /// Records held (kept up to date by every change, so a status costs nothing).
    private(set) var count = 0

    func lookup(_ key: Term, now: Int64) -> [StoredRecord] {
        (records[key] ?? []).filter { $0.isLive(at: now) }
    }

    /// The version a transaction's read of `key` saw: the last change of its records, 0 if it
    /// never had any.
    func version(of key: Term) -> UInt64 { lastModified[key] ?? 0 }

    /// Sets what ``version(of:)`` answers for `key` (a restore from a snapshot).
    mutating func restoreModified(_ key: Term, _ version: UInt64) { lastModified[key] = version }

    /// Live keys, in term order for an ordered set.
    func keys(now: Int64) -> [Term] {
        let live = records.compactMap { key, stored in stored.contains { $0.isLive(at: now) } ? key : nil }
        return definition.kind == .orderedSet ? live.sorted { Term.compare($0, $1) < 0 } : live
    }

    /// Keys whose records have `value` in the indexed `field`.
    func keys(field: Atom, value: Term) -> [Term]? {
        guard let index = indexes[field] else { return nil }
        return Array(index[value] ?? [])
    }

    mutating func put(_ key: Term, _ record: StoredRecord) {
        version = record.version
        lastModified[key] = record.version
        var stored = records[key] ?? []
        unindex(key, stored)
        expiring -= stored.count { $0.expiresAt != nil }
        switch definition.kind {
        case .set, .orderedSet:
            stored = [record]
        case .bag:
            stored.removeAll { $0.value == record.value }
            stored.append(record)
        }
        expiring += stored.count { $0.expiresAt != nil }
        count += stored.count - (records[key]?.count ?? 0)
        records[key] = stored
        index(key, stored)
    }

    /// Deletes every record under `key`; true if there was one.
    @discardableResult
    mutating func delete(_ key: Term, version: UInt64) -> Bool {
        guard let stored = records.removeValue(forKey: key) else { return false }
        count -= stored.count
        self.version = version
        lastModified[key] = version
        unindex(key, stored)
        expiring -= stored.count { $0.expiresAt != nil }
        return true
    }

    /// Deletes the record of `key` with `value` (a bag's one value).
    mutating func deleteObject(_ key: Term, value: Term, version: UInt64) {
        guard var stored = records[key], stored.contains(where: { $0.value == value }) else { return }
        self.version = version
        lastModified[key] = version
        unindex(key, stored)
        expiring -= stored.count { $0.expiresAt != nil }
        count -= stored.count
        stored.removeAll { $0.value == value }
        count += stored.count
        expiring += stored.count { $0.expiresAt != nil }
        records[key] = stored.isEmpty ? nil : stored
        if !stored.isEmpty { index(key, stored) }
    }

    /// Deletes what expired by `now`; returns the keys that lost records.
    mutating func expire(now: Int64, version: UInt64) -> [Term] {
        guard expiring > 0 else { return [] }
        var removed = 0
        var keys: [Term] = []
        for (key, stored) in records where stored.contains(where: { !$0.isLive(at: now) }) {
            let live = stored.filter { $0.isLive(at: now) }
            removed += stored.count - live.count
            count -= stored.count - live.count
            lastModified[key] = version
            keys.append(key)
            unindex(key, stored)
            expiring -= stored.count - live.count
            records[key] = live.isEmpty ? nil : live
            if !live.isEmpty { index(key, live) }
        }
        if removed > 0 { self.version = version }
        return keys
    }

    private mutating func index(_ key: Term, _ stored: [StoredRecord]) {
        for field in definition.indexes {
            for record in stored {
                guard let value = Self.field(field, of: record.value) else { continue }
                indexes[field, default: [:]][value, default: []].insert(key)
            }
        }
    }

    private mutating func unindex(_ key: Term, _ stored: [StoredRecord]) {
        for field in definition.indexes {
            for record in stored {
                guard let value = Self.field(field, of: record.value) else { continue }
                indexes[field]?[value]?.remove(key)
                if indexes[field]?[value]?.isEmpty == true { indexes[field]?[value] = nil }
            }
        }
    }

    /// A field of a map value (`#{field => V}`, with an atom key).
    static func field(_ field: Atom, of value: Term) -> Term? {
        guard case .map(let map) = value else { return nil }
        return map[atom: field]
    }
}

extension Table {
    /// Sets the table's version after a restore (puts move it).
    mutating func restoreVersion(_ version: UInt64) { self.version = version }
}
