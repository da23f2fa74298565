/// An observed-remove set where a concurrent add wins over a remove (add-wins), built on dots:
/// each add is a new event of the adding replica, and a remove removes the events it has seen.
///
/// Deltas merge correctly in any order and with any duplication. A removed element keeps its
/// seen events (a small tombstone) so that an older add arriving late does not bring it back.
public struct ORSet<Element: Hashable & Sendable & Codable>: ReplicatedData, Hashable {
    /// Each element's events, live or removed.
    public private(set) var entries: [Element: DotKernel<Bool>]

    /// The empty set.
    public init() { entries = [:] }

    /// The elements present.
    public var elements: Set<Element> { Set(entries.lazy.filter { $0.value.isLive }.map(\.key)) }

    /// How many elements are present.
    public var count: Int { entries.values.reduce(0) { $0 + ($1.isLive ? 1 : 0) } }

    /// Whether `element` is present.
    public func contains(_ element: Element) -> Bool { entries[element]?.isLive ?? false }

    /// Adds `element` on behalf of `replica`; returns the delta.
    @discardableResult
    public mutating func insert(_ element: Element, at replica: ReplicaID) -> ORSet {
        var delta = ORSet()
        delta.entries[element] = entries[element, default: DotKernel()].write(true, at: replica)
        return delta
    }

    /// Removes `element` as this replica sees it; returns the delta.
    @discardableResult
    public mutating func remove(_ element: Element) -> ORSet {
        var delta = ORSet()
        guard entries[element] != nil else { return delta }
        delta.entries[element] = entries[element]!.clear()
        return delta
    }

    public mutating func merge(_ other: ORSet) {
        for (element, kernel) in other.entries { entries[element, default: DotKernel()].merge(kernel) }
    }

    public mutating func mergeReportingChanges(_ other: ORSet) -> [Element] {
        var changed: [Element] = []
        for (element, kernel) in other.entries {
            let before = entries[element]
            entries[element, default: DotKernel()].merge(kernel)
            if entries[element] != before { changed.append(element) }
        }
        return changed
    }

    public var parts: [Element] { Array(entries.keys) }

    public func restricted(to parts: Set<Element>) -> ORSet {
        var result = ORSet()
        for element in parts { if let kernel = entries[element] { result.entries[element] = kernel } }
        return result
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(entries)
    }

    public init(from decoder: any Decoder) throws {
        entries = try decoder.singleValueContainer().decode([Element: DotKernel<Bool>].self)
    }
}
