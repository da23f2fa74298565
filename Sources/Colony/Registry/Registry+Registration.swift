public import ErlangTerm

extension Registry {
    /// Registers `pid` under `key` with `value` (Elixir's `Registry.register/3`, which registers
    /// the calling process; pass your ``ProcessContext/pid``).
    ///
    /// The entry is visible to ``lookup(_:)`` when this returns, and goes when the process ends.
    /// In a duplicate registry a process may register the same key several times, each time with
    /// its own entry.
    ///
    /// - Returns: the owner process of the partition that holds the entry (Elixir's
    ///   `{:ok, owner}`).
    /// - Throws: ``RegistryError/alreadyRegistered(_:)`` when a unique key is held by a live
    ///   process (`pid` itself included); ``RegistryError/notLocal(_:)`` for a process of another
    ///   node; ``RegistryError/noProcess(_:)`` when `pid` is not alive;
    ///   ``RegistryError/stopped`` after ``stop()``.
    @discardableResult
    public func register(_ key: Term, value: Term, process pid: PID) throws(RegistryError) -> PID {
        guard node.isLocal(pid) else { throw .notLocal(pid) }
        guard node.isAlive(pid) else { throw .noProcess(pid) }
        let index = partitionIndex(for: key, process: pid)
        let unique = keys == .unique
        let mustWatch = try partitions[index].withTable { (table: inout RegistryTable) throws(RegistryError) -> Bool in
            guard !table.isClosed else { throw .stopped }
            if unique, let holder = table.entries[key]?.first {
                if node.isAlive(holder.pid) { throw .alreadyRegistered(holder.pid) }
                // The holder has ended and its DOWN is on its way; the key is free. The DOWN
                // removes the holder's other entries, not this one.
                _ = table.remove(key, pid: holder.pid)
            }
            return table.insert(key, pid: pid, value: value)
        }
        let owner = owners[index]
        if mustWatch && !owner.mailbox.enqueue(.message(RegistryOwner.watch(pid))) {
            // The owner has ended: nothing would remove the entry, so take it back.
            _ = partitions[index].withTable { $0.remove(key, pid: pid) }
            throw .stopped
        }
        return owner.pid
    }

    /// Removes `pid`'s entries under `key` (all of them, in a duplicate registry). Does nothing
    /// when it has none; in a unique registry, a key held by another process stays.
    public func unregister(_ key: Term, process pid: PID) {
        unregister(key, process: pid) { _ in true }
    }

    /// Removes `pid`'s entries under `key` whose value satisfies `predicate` (Elixir's
    /// `unregister_match/4`).
    ///
    /// `predicate` runs while the partition is locked: it must not use the registry.
    public func unregister(_ key: Term, process pid: PID, where predicate: (Term) -> Bool) {
        let index = partitionIndex(for: key, process: pid)
        let idle = partitions[index].withTable { $0.remove(key, pid: pid, where: predicate) }
        if idle { owners[index].mailbox.enqueue(.message(RegistryOwner.release(pid))) }
    }

    /// Replaces the value of `pid`'s entry under `key` with `transform` of it (Elixir's
    /// `update_value/3`). Unique registries only.
    ///
    /// `transform` runs while the partition is locked: it must not use the registry.
    ///
    /// - Returns: the new and the old value, or `nil` when `pid` does not hold `key`.
    /// - Throws: ``RegistryError/notUnique`` in a duplicate registry.
    @discardableResult
    public func updateValue(
        _ key: Term, process pid: PID, _ transform: (Term) -> Term
    ) throws(RegistryError) -> (new: Term, old: Term)? {
        guard keys == .unique else { throw .notUnique }
        return partitions[partitionIndex(forKey: key)].withTable { $0.update(key, pid: pid, transform) }
    }
}
