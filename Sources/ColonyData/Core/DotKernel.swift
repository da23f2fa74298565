/// The causal core of add-wins sets, multi-value registers and observed-remove maps: the live
/// events of one element (each with a payload) and every event the element's replicas have seen.
///
/// An event that one side holds and the other has seen but no longer holds was removed, so it
/// goes; an event the other side has not seen stays. Because `seen` travels with every delta,
/// deltas merge correctly in any order, duplicated or not: no causal delivery is needed, and a
/// lost delta is repaired by any later transfer of the element.
public struct DotKernel<Payload: Hashable & Sendable & Codable>: Hashable, Sendable, Codable {
    /// The live events and their payloads.
    public private(set) var dots: [Dot: Payload]
    /// Every event seen, live or removed.
    public private(set) var seen: VersionVector

    /// No events.
    public init() {
        dots = [:]
        seen = VersionVector()
    }

    init(dots: [Dot: Payload], seen: VersionVector) {
        self.dots = dots
        self.seen = seen
    }

    /// Whether an event is live.
    public var isLive: Bool { !dots.isEmpty }

    /// The live payloads, in dot order.
    public var payloads: [Payload] { dots.sorted { $0.key < $1.key }.map(\.value) }

    /// Replaces every live event with one new event of `replica` carrying `payload`; returns the
    /// delta.
    @discardableResult
    public mutating func write(_ payload: Payload, at replica: ReplicaID) -> DotKernel {
        let dot = Dot(replica, seen[replica] + 1)
        var newSeen = seen
        newSeen.add(dot)
        let delta = DotKernel(dots: [dot: payload], seen: newSeen)
        merge(delta)
        return delta
    }

    /// Removes every live event this replica sees; returns the delta.
    @discardableResult
    public mutating func clear() -> DotKernel {
        let delta = DotKernel(dots: [:], seen: seen)
        merge(delta)
        return delta
    }

    /// Keeps the events both sides hold and those one side holds that the other has not seen.
    public mutating func merge(_ other: DotKernel) {
        if other.dots.isEmpty && other.seen.counters.isEmpty { return }
        var kept: [Dot: Payload] = [:]
        for (dot, payload) in dots where other.dots[dot] != nil || !other.seen.contains(dot) {
            kept[dot] = payload
        }
        for (dot, payload) in other.dots where kept[dot] == nil && !seen.contains(dot) {
            kept[dot] = payload
        }
        dots = kept
        seen.merge(other.seen)
    }
}
