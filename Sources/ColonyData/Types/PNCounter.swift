/// A counter that goes up and down: a grow-only count of increments and one of decrements per
/// replica; the value is their difference.
public struct PNCounter: ReplicatedData, Hashable {
    /// Increments per replica.
    public private(set) var increments: GCounter
    /// Decrements per replica.
    public private(set) var decrements: GCounter

    /// Zero.
    public init() {
        increments = GCounter()
        decrements = GCounter()
    }

    /// Every increment minus every decrement.
    public var value: Int64 { Int64(bitPattern: increments.value &- decrements.value) }

    /// Adds `amount` (subtracts when negative) on behalf of `replica`; returns the delta.
    @discardableResult
    public mutating func increment(by amount: Int64 = 1, at replica: ReplicaID) -> PNCounter {
        var delta = PNCounter()
        if amount >= 0 {
            delta.increments = increments.increment(by: UInt64(amount), at: replica)
        } else {
            delta.decrements = decrements.increment(by: amount.magnitude, at: replica)
        }
        return delta
    }

    /// Subtracts `amount` on behalf of `replica`; returns the delta.
    @discardableResult
    public mutating func decrement(by amount: Int64 = 1, at replica: ReplicaID) -> PNCounter {
        increment(by: -amount, at: replica)
    }

    public mutating func merge(_ other: PNCounter) {
        increments.merge(other.increments)
        decrements.merge(other.decrements)
    }

    public var parts: [ReplicaID] {
        if decrements.counts.isEmpty { return increments.parts }
        if increments.counts.isEmpty { return decrements.parts }
        return Array(Set(increments.parts).union(decrements.parts))
    }

    public func restricted(to parts: Set<ReplicaID>) -> PNCounter {
        var result = PNCounter()
        result.increments = increments.restricted(to: parts)
        result.decrements = decrements.restricted(to: parts)
        return result
    }

    private enum CodingKeys: String, CodingKey {
        case increments = "p"
        case decrements = "n"
    }
}
