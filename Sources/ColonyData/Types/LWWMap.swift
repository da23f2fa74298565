/// A map whose values are last-writer-wins registers: `put` replaces, `removeValue` removes
/// (a concurrent put wins), and concurrent puts keep the later one.
public struct LWWMap<Key: Hashable & Sendable & Codable, Value: Hashable & Sendable & Codable>: ReplicatedData {
    /// The underlying map of registers.
    public private(set) var map: ORMap<Key, LWWRegister<Value>>

    /// The empty map.
    public init() { map = ORMap() }

    /// The value of `key`, `nil` when absent.
    public subscript(key: Key) -> Value? { map[key]?.value }

    /// The keys present.
    public var keys: Set<Key> { map.keys }

    /// How many keys are present.
    public var count: Int { map.count }

    /// The present keys and their values.
    public var values: [Key: Value] { map.values.compactMapValues(\.value) }

    /// Writes `value` under `key` on behalf of `replica`; returns the delta.
    @discardableResult
    public mutating func put(
        _ key: Key, _ value: Value, at replica: ReplicaID,
        clock: LWWRegister<Value>.Clock = LWWRegister<Value>.wallClock
    ) -> LWWMap {
        var delta = LWWMap()
        delta.map = map.update(key, at: replica) { $0.set(value, at: replica, clock: clock) }
        return delta
    }

    /// Removes `key`; returns the delta.
    @discardableResult
    public mutating func removeValue(forKey key: Key) -> LWWMap {
        var delta = LWWMap()
        delta.map = map.removeValue(forKey: key)
        return delta
    }

    public mutating func merge(_ other: LWWMap) { map.merge(other.map) }

    public mutating func mergeReportingChanges(_ other: LWWMap) -> [Key] { map.mergeReportingChanges(other.map) }

    public var parts: [Key] { map.parts }

    public func restricted(to parts: Set<Key>) -> LWWMap {
        var result = LWWMap()
        result.map = map.restricted(to: parts)
        return result
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(map)
    }

    public init(from decoder: any Decoder) throws {
        map = try decoder.singleValueContainer().decode(ORMap<Key, LWWRegister<Value>>.self)
    }
}
