import Synchronization

/// Bytes held by fragmented messages still being reassembled, shared by every connection of a
/// node: a bound on what all peers together can make the node hold before a message is complete.
public final class FragmentBudget: Sendable {
    /// The most bytes all open sequences may hold together.
    public let limit: Int
    private let used = Atomic<Int>(0)

    /// A budget of `limit` bytes.
    public init(limit: Int) {
        self.limit = limit
    }

    /// The bytes held now.
    public var inUse: Int { used.load(ordering: .relaxed) }

    /// Takes `bytes` from the budget; `false` (and nothing taken) when that would exceed it.
    func reserve(_ bytes: Int) -> Bool {
        let after = used.wrappingAdd(bytes, ordering: .relaxed).newValue
        if after <= limit { return true }
        used.wrappingSubtract(bytes, ordering: .relaxed)
        return false
    }

    /// Gives `bytes` back.
    func release(_ bytes: Int) {
        if bytes > 0 { used.wrappingSubtract(bytes, ordering: .relaxed) }
    }
}
