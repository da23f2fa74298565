import ErlangTerm

/// The guide's PN-Counter: one grow-only count per node for increments and one for decrements;
/// merging takes the larger count per node, so replicas that saw the same updates agree whatever
/// order their states arrive in.
struct PNCounter: Codable, Sendable, Equatable {
    /// Increments per node.
    var positive: [String: Int] = [:]
    /// Decrements per node.
    var negative: [String: Int] = [:]

    /// The counter's value: every increment minus every decrement.
    var value: Int { positive.values.reduce(0, +) - negative.values.reduce(0, +) }

    mutating func increment(by amount: Int, at node: String) { positive[node, default: 0] += amount }

    mutating func decrement(by amount: Int, at node: String) { negative[node, default: 0] += amount }

    /// The least upper bound of two replicas.
    func merged(with other: PNCounter) -> PNCounter {
        PNCounter(
            positive: positive.merging(other.positive, uniquingKeysWith: max),
            negative: negative.merging(other.negative, uniquingKeysWith: max))
    }
}
