/// A grow-only set: elements are added, never removed; merge is union.
public struct GSet<Element: Hashable & Sendable & Codable>: ReplicatedData, Hashable {
    /// The elements.
    public private(set) var elements: Set<Element>

    /// The empty set.
    public init() { elements = [] }

    /// Whether `element` was added.
    public func contains(_ element: Element) -> Bool { elements.contains(element) }

    /// Adds `element`; returns the delta.
    @discardableResult
    public mutating func insert(_ element: Element) -> GSet {
        elements.insert(element)
        var delta = GSet()
        delta.elements = [element]
        return delta
    }

    public mutating func merge(_ other: GSet) { elements.formUnion(other.elements) }

    public var parts: [Element] { Array(elements) }

    public func restricted(to parts: Set<Element>) -> GSet {
        var result = GSet()
        result.elements = elements.intersection(parts)
        return result
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(elements)
    }

    public init(from decoder: any Decoder) throws {
        elements = try decoder.singleValueContainer().decode(Set<Element>.self)
    }
}
