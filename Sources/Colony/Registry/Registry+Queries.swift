public import ErlangTerm

extension Registry {
    /// The entries under `key`: one at most in a unique registry; in a duplicate registry, every
    /// registration, in registration order within each partition (Elixir's `lookup/2`).
    ///
    /// An entry of a process that has just ended stays until the partition's owner has handled
    /// its `DOWN` message.
    public func lookup(_ key: Term) -> [(pid: PID, value: Term)] {
        if keys == .unique {
            return partitions[partitionIndex(forKey: key)].withTable { table in
                table.entries[key].map { $0.map { ($0.pid, $0.value) } } ?? []
            }
        }
        var found: [(pid: PID, value: Term)] = []
        for partition in partitions {
            partition.withTable { table in
                if let slots = table.entries[key] { found.append(contentsOf: slots.lazy.map { ($0.pid, $0.value) }) }
            }
        }
        return found
    }

    /// The entries under `key` whose value satisfies `predicate` (Elixir's `match/3`, with a
    /// predicate for the match pattern).
    ///
    /// `predicate` runs while a partition is locked: it must not use the registry.
    public func match(_ key: Term, where predicate: (Term) -> Bool) -> [(pid: PID, value: Term)] {
        var found: [(pid: PID, value: Term)] = []
        for index in partitionIndices(forKey: key) {
            partitions[index].withTable { table in
                for slot in table.entries[key] ?? [] where predicate(slot.value) {
                    found.append((slot.pid, slot.value))
                }
            }
        }
        return found
    }

    /// The values `pid` registered under `key` (Elixir's `values/3`).
    public func values(_ key: Term, process pid: PID) -> [Term] {
        partitions[partitionIndex(for: key, process: pid)].withTable { table in
            table.entries[key]?.compactMap { $0.pid == pid ? $0.value : nil } ?? []
        }
    }

    /// The keys `pid` is registered under, in no particular order (Elixir's `keys/2`). In a
    /// duplicate registry a key appears once per registration.
    public func keys(for pid: PID) -> [Term] {
        let indices = keys == .unique ? Array(partitions.indices) : [partitionIndex(forProcess: pid)]
        var found: [Term] = []
        for index in indices {
            partitions[index].withTable { table in
                for (key, times) in table.keysByProcess[pid] ?? [:] {
                    found.append(contentsOf: repeatElement(key, count: times))
                }
            }
        }
        return found
    }

    /// The number of entries (Elixir's `count/1`).
    public func count() -> Int {
        partitions.reduce(0) { total, partition in total + partition.withTable { $0.count } }
    }

    /// The number of entries under `key`.
    public func count(matching key: Term) -> Int {
        partitionIndices(forKey: key).reduce(0) { total, index in
            total + partitions[index].withTable { $0.entries[key]?.count ?? 0 }
        }
    }

    /// The number of entries under `key` whose process and value satisfy `predicate` (Elixir's
    /// `count_match/4`).
    ///
    /// `predicate` runs while a partition is locked: it must not use the registry.
    public func count(matching key: Term, where predicate: (_ pid: PID, _ value: Term) -> Bool) -> Int {
        partitionIndices(forKey: key).reduce(0) { total, index in
            total
                + partitions[index].withTable { table in
                    (table.entries[key] ?? []).reduce(0) { $0 + (predicate($1.pid, $1.value) ? 1 : 0) }
                }
        }
    }

    /// The number of entries that satisfy `predicate` (Elixir's `count_select/2`).
    ///
    /// `predicate` runs while a partition is locked: it must not use the registry.
    public func count(where predicate: (Entry) -> Bool) -> Int {
        var total = 0
        visitEntries { if predicate($0) { total += 1 } }
        return total
    }

    /// The entries that satisfy `predicate`, in no particular order (Elixir's `select/2`, with a
    /// predicate for the match specification; map the result to pick fields).
    ///
    /// `predicate` runs while a partition is locked: it must not use the registry.
    public func select(where predicate: (Entry) -> Bool = { _ in true }) -> [Entry] {
        var found: [Entry] = []
        visitEntries { if predicate($0) { found.append($0) } }
        return found
    }

    /// Calls `body` with the entries under `key` (Elixir's `dispatch/3`): once in a unique
    /// registry, once per partition that has entries in a duplicate one; not at all when there
    /// are none. `body` runs without any lock held, so it may send, and use the registry.
    ///
    /// ```swift
    /// try await registry.dispatch("news") { entries in
    ///     for entry in entries { await process.send(.tuple(["news", item]), to: entry.pid) }
    /// }
    /// ```
    public nonisolated(nonsending) func dispatch(
        _ key: Term, _ body: ([(pid: PID, value: Term)]) async throws -> Void
    ) async rethrows {
        for index in partitionIndices(forKey: key) {
            let entries = partitions[index].withTable { table in
                table.entries[key].map { $0.map { ($0.pid, $0.value) } } ?? []
            }
            if !entries.isEmpty { try await body(entries) }
        }
    }

    /// The partitions that can hold entries under `key`.
    func partitionIndices(forKey key: Term) -> Range<Int> {
        guard keys == .unique else { return partitions.indices }
        let index = partitionIndex(forKey: key)
        return index..<index + 1
    }

    /// Calls `visit` for every entry, one partition at a time, with that partition locked.
    func visitEntries(_ visit: (Entry) -> Void) {
        for partition in partitions {
            partition.withTable { table in
                for (key, slots) in table.entries {
                    for slot in slots { visit(Entry(key: key, pid: slot.pid, value: slot.value)) }
                }
            }
        }
    }
}
