public import ErlangTerm

/// Via-naming: a unique registry names processes for ``ServerRef/via(_:_:)`` (Elixir's
/// `{:via, Registry, {registry, key}}`). The entry's value is `nil`, as Elixir's.
extension Registry: ProcessNameRegistry {
    /// Registers `pid` under `name` with the value `nil`. Returns `false` when the name is taken
    /// by a live process, the process is remote or not alive, the registry is stopped, or its keys
    /// are duplicate (via-naming needs unique keys).
    public func registerName(_ name: Term, pid: PID) -> Bool {
        guard keys == .unique else { return false }
        do {
            try register(name, value: .nil, process: pid)
            return true
        } catch {
            return false
        }
    }

    /// Removes `name`, whatever process holds it.
    public func unregisterName(_ name: Term) {
        guard keys == .unique else { return }
        let index = partitionIndex(forKey: name)
        let idle = partitions[index].withTable { $0.removeAll(name) }
        for pid in idle { owners[index].mailbox.enqueue(.message(RegistryOwner.release(pid))) }
    }

    /// The process registered under `name`, if any (`nil` in a duplicate registry).
    public func whereisName(_ name: Term) -> PID? {
        guard keys == .unique else { return nil }
        return partitions[partitionIndex(forKey: name)].withTable { $0.entries[name]?.first?.pid }
    }
}
