/// A set whose elements can be added and then removed once for good: a removed element never
/// comes back (remove wins, forever).
public struct TwoPhaseSet<Element: Hashable & Sendable & Codable>: ReplicatedData, Hashable {
    /// Every element ever added.
    public private(set) var added: GSet<Element>
    /// Every element removed.
    public private(set) var removed: GSet<Element>

    /// The empty set.
    public init() {
        added = GSet()
        removed = GSet()
    }

    /// The elements added and not removed.
    public var elements: Set<Element> { added.elements.subtracting(removed.elements) }

    /// Whether `element` is in the set.
    public func contains(_ element: Element) -> Bool {
        added.contains(element) && !removed.contains(element)
    }

    /// Adds `element` (no effect once it was removed); returns the delta.
    @discardableResult
    public mutating func insert(_ element: Element) -> TwoPhaseSet {
        var delta = TwoPhaseSet()
        delta.added = added.insert(element)
        return delta
    }

    /// Removes `element` for good; returns the delta.
    @discardableResult
    public mutating func remove(_ element: Element) -> TwoPhaseSet {
        var delta = TwoPhaseSet()
        delta.removed = removed.insert(element)
        return delta
    }

    public mutating func merge(_ other: TwoPhaseSet) {
        added.merge(other.added)
        removed.merge(other.removed)
    }

    public var parts: [Element] { Array(added.elements.union(removed.elements)) }

    public func restricted(to parts: Set<Element>) -> TwoPhaseSet {
        var result = TwoPhaseSet()
        result.added = added.restricted(to: parts)
        result.removed = removed.restricted(to: parts)
        return result
    }

    private enum CodingKeys: String, CodingKey {
        case added = "a"
        case removed = "r"
    }
}
