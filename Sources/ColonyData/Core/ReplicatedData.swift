/// A value that replicas update independently and merge into the same result whatever order,
/// grouping or duplication their states and deltas arrive in (a state-based CRDT: `merge` is
/// commutative, associative and idempotent).
///
/// Every mutator of Colony's types applies the change and returns its **delta**: a value of the
/// same type holding only what changed, which merges into any replica exactly as the full state
/// would. The ``Replicator`` ships deltas, not states.
///
/// A value is made of **parts** (the elements of a set, the entries of a map, the replicas of a
/// counter), and `restricted(to:)` cuts out a sub-value that holds only some of them. The
/// replicator records which parts changed, so a peer that missed updates is sent those parts and
/// not the whole value. Types without useful parts use ``WholeValue``.
public protocol ReplicatedData: Codable, Sendable, Equatable {
    /// What a value is made of, for change tracking. A part travels (encoded) when a peer asks
    /// for the parts whose state differs from its own.
    associatedtype Part: Hashable, Sendable, Codable = WholeValue

    /// An empty value, the identity of `merge`.
    init()

    /// Merges `other` in: afterwards `self` is the least upper bound of both.
    mutating func merge(_ other: Self)

    /// The parts this value (typically a delta) holds.
    var parts: [Part] { get }

    /// The sub-value holding only `parts`; merging it elsewhere transfers those parts' state.
    func restricted(to parts: Set<Part>) -> Self

    /// Merges `other` in and returns the parts whose state changed (none when `other` held
    /// nothing new). The default compares each part of `other` before and after.
    mutating func mergeReportingChanges(_ other: Self) -> [Part]
}

/// The single part of a value that is replicated as a whole.
public enum WholeValue: Hashable, Sendable, Codable {
    /// The whole value.
    case whole
}

extension ReplicatedData where Part == WholeValue {
    /// The one part.
    public var parts: [Part] { [.whole] }

    /// The whole value.
    public func restricted(to parts: Set<Part>) -> Self { parts.isEmpty ? Self() : self }
}

extension ReplicatedData {
    public mutating func mergeReportingChanges(_ other: Self) -> [Part] {
        let parts = other.parts
        let partSet = Set(parts)
        let before = restricted(to: partSet)
        merge(other)
        let after = restricted(to: partSet)
        if after == before { return [] }
        if parts.count == 1 { return parts }
        return parts.filter { after.restricted(to: [$0]) != before.restricted(to: [$0]) }
    }

    /// `self` merged with `other`.
    public func merging(_ other: Self) -> Self {
        var result = self
        result.merge(other)
        return result
    }
}
