public import ErlangTerm

extension Registry {
    /// The metadata stored under `key`, if any (Elixir's `meta/2`). Metadata belongs to the
    /// registry, not to a process: it stays until changed, deleted or the registry stops.
    public func meta(_ key: Term) -> Term? {
        metadata.withLock { $0[key] }
    }

    /// Stores `value` as the metadata under `key` (Elixir's `put_meta/3`).
    public func putMeta(_ key: Term, _ value: Term) {
        metadata.withLock { $0[key] = value }
    }

    /// Removes the metadata under `key` (Elixir's `delete_meta/2`).
    public func deleteMeta(_ key: Term) {
        metadata.withLock { _ = $0.removeValue(forKey: key) }
    }
}
