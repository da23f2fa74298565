/// A map of named counters, each a ``PNCounter``.
public struct PNCounterMap<Key: Hashable & Sendable & Codable>: ReplicatedData {
    /// The underlying map of counters.
    public private(set) var map: ORMap<Key, PNCounter>

    /// The empty map.
    public init() { map = ORMap() }

    /// The value of the counter under `key`, `nil` when absent.
    public subscript(key: Key) -> Int64? { map[key]?.value }

    /// The keys present.
    public var keys: Set<Key> { map.keys }

    /// Every present counter's value.
    public var values: [Key: Int64] { map.values.mapValues(\.value) }

    /// Adds `amount` to the counter under `key` on behalf of `replica`; returns the delta.
    @discardableResult
    public mutating func increment(_ key: Key, by amount: Int64 = 1, at replica: ReplicaID) -> PNCounterMap {
        var delta = PNCounterMap()
        delta.map = map.update(key, at: replica) { $0.increment(by: amount, at: replica) }
        return delta
    }

    /// Subtracts `amount` from the counter under `key`; returns the delta.
    @discardableResult
    public mutating func decrement(_ key: Key, by amount: Int64 = 1, at replica: ReplicaID) -> PNCounterMap {
        increment(key, by: -amount, at: replica)
    }

    /// Removes `key`; returns the delta.
    @discardableResult
    public mutating func removeValue(forKey key: Key) -> PNCounterMap {
        var delta = PNCounterMap()
        delta.map = map.removeValue(forKey: key)
        return delta
    }

    public mutating func merge(_ other: PNCounterMap) { map.merge(other.map) }

    public mutating func mergeReportingChanges(_ other: PNCounterMap) -> [Key] { map.mergeReportingChanges(other.map) }

    public var parts: [Key] { map.parts }

    public func restricted(to parts: Set<Key>) -> PNCounterMap {
        var result = PNCounterMap()
        result.map = map.restricted(to: parts)
        return result
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(map)
    }

    public init(from decoder: any Decoder) throws {
        map = try decoder.singleValueContainer().decode(ORMap<Key, PNCounter>.self)
    }
}
