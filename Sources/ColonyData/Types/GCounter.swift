/// A grow-only counter: one count per replica, merged by taking the larger; the value is the sum.
public struct GCounter: ReplicatedData, Hashable {
    /// The count of each replica.
    public private(set) var counts: [ReplicaID: UInt64]

    /// Zero.
    public init() { counts = [:] }

    /// The sum of every replica's count.
    public var value: UInt64 { counts.values.reduce(0, &+) }

    /// Adds `amount` on behalf of `replica`; returns the delta.
    @discardableResult
    public mutating func increment(by amount: UInt64 = 1, at replica: ReplicaID) -> GCounter {
        guard amount > 0 else { return GCounter() }  // a zero count is no count: one form per state
        // One lookup: the count is changed in place through the dictionary's accessor.
        let count = Self.add(amount, to: &counts[replica, default: 0])
        var delta = GCounter()
        delta.counts = [replica: count]
        return delta
    }

    public mutating func merge(_ other: GCounter) {
        // Counts are never zero, so a missing count defaults to a smaller one.
        for (replica, count) in other.counts { Self.raise(&counts[replica, default: 0], to: count) }
    }

    private static func add(_ amount: UInt64, to count: inout UInt64) -> UInt64 {
        count &+= amount
        return count
    }

    private static func raise(_ count: inout UInt64, to other: UInt64) {
        if other > count { count = other }
    }

    public var parts: [ReplicaID] { Array(counts.keys) }

    public func restricted(to parts: Set<ReplicaID>) -> GCounter {
        var result = GCounter()
        result.counts = counts.filter { parts.contains($0.key) }
        return result
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(counts)
    }

    public init(from decoder: any Decoder) throws {
        counts = try decoder.singleValueContainer().decode([ReplicaID: UInt64].self)
    }
}
