/// A map from keys to replicated values where a key is present when added and not removed
/// (add-wins, like ``ORSet``), and each value merges as its own type does.
///
/// Every update of a value re-adds its key, so an update concurrent with a remove keeps the key.
/// A removed key's value is kept out of sight rather than dropped (dropping it would make merge
/// depend on order): when the key is added again, its value continues from what it held, merged
/// with the new update. Use a fresh key, or a value type whose writes replace (``LWWRegister``),
/// when that matters.
public struct ORMap<Key: Hashable & Sendable & Codable, Value: ReplicatedData>: ReplicatedData {
    /// One key's presence and value.
    public struct Entry: Sendable, Equatable, Codable {
        /// The key's add and remove events.
        public fileprivate(set) var presence: DotKernel<Bool>
        /// Its value, kept when the key is removed.
        public fileprivate(set) var value: Value

        init(presence: DotKernel<Bool> = DotKernel(), value: Value = Value()) {
            self.presence = presence
            self.value = value
        }

        mutating func merge(_ other: Entry) {
            presence.merge(other.presence)
            value.merge(other.value)
        }

        private enum CodingKeys: String, CodingKey {
            case presence = "p"
            case value = "v"
        }
    }

    /// Every key ever added, present or removed.
    public private(set) var entries: [Key: Entry]

    /// The empty map.
    public init() { entries = [:] }

    /// The value of `key`, `nil` when it is not present.
    public subscript(key: Key) -> Value? {
        guard let entry = entries[key], entry.presence.isLive else { return nil }
        return entry.value
    }

    /// The keys present.
    public var keys: Set<Key> { Set(entries.lazy.filter { $0.value.presence.isLive }.map(\.key)) }

    /// The present keys and their values.
    public var values: [Key: Value] {
        entries.reduce(into: [:]) { result, pair in
            if pair.value.presence.isLive { result[pair.key] = pair.value.value }
        }
    }

    /// How many keys are present.
    public var count: Int { entries.values.reduce(0) { $0 + ($1.presence.isLive ? 1 : 0) } }

    /// Updates the value of `key` on behalf of `replica` with `mutate`, which changes the value
    /// in place and returns its delta (as every mutator of Colony's types does); adds the key when
    /// absent. Returns the map's delta.
    @discardableResult
    public mutating func update(
        _ key: Key, at replica: ReplicaID, _ mutate: (inout Value) throws -> Value
    ) rethrows -> ORMap {
        var entry = entries.removeValue(forKey: key) ?? Entry()
        defer { entries[key] = entry }
        let valueDelta = try mutate(&entry.value)
        var delta = ORMap()
        delta.entries[key] = Entry(presence: entry.presence.write(true, at: replica), value: valueDelta)
        return delta
    }

    /// Removes `key` as this replica sees it; returns the delta.
    @discardableResult
    public mutating func removeValue(forKey key: Key) -> ORMap {
        var delta = ORMap()
        guard entries[key] != nil else { return delta }
        delta.entries[key] = Entry(presence: entries[key]!.presence.clear())
        return delta
    }

    public mutating func merge(_ other: ORMap) {
        for (key, entry) in other.entries {
            if entries[key] == nil {
                entries[key] = entry
            } else {
                entries[key]!.merge(entry)
            }
        }
    }

    public mutating func mergeReportingChanges(_ other: ORMap) -> [Key] {
        var changed: [Key] = []
        for (key, entry) in other.entries {
            if var current = entries.removeValue(forKey: key) {
                let before = current
                current.merge(entry)
                if current != before { changed.append(key) }
                entries[key] = current
            } else {
                entries[key] = entry
                changed.append(key)
            }
        }
        return changed
    }

    public var parts: [Key] { Array(entries.keys) }

    public func restricted(to parts: Set<Key>) -> ORMap {
        var result = ORMap()
        for key in parts { if let entry = entries[key] { result.entries[key] = entry } }
        return result
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(entries)
    }

    public init(from decoder: any Decoder) throws {
        entries = try decoder.singleValueContainer().decode([Key: Entry].self)
    }
}
