import Foundation

/// A register where the last write wins: each write carries a timestamp, and merge keeps the
/// write with the larger timestamp (the larger replica id on a tie).
///
/// Timestamps come from a ``Clock``: by default the wall clock in microseconds, but never less
/// than one more than the timestamp the register holds, so a replica's own writes always order
/// after what it has seen even when clocks drift. Supply your own clock for a logical order
/// (a version number, say).
public struct LWWRegister<Value: Hashable & Sendable & Codable>: ReplicatedData, Hashable {
    /// Gives the timestamp of a write, from the register's current timestamp and the new value.
    public typealias Clock = @Sendable (_ current: Int64, _ value: Value) -> Int64

    /// The value, `nil` before the first write.
    public private(set) var value: Value?
    /// The timestamp of the write that holds.
    public private(set) var timestamp: Int64
    /// The replica that made it.
    public private(set) var replica: ReplicaID?

    /// Never written.
    public init() {
        value = nil
        timestamp = .min
        replica = nil
    }

    /// Wall-clock microseconds, at least one more than the current timestamp.
    public static var wallClock: Clock {
        { current, _ in
            let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
            return current == .min ? now : max(now, current + 1)
        }
    }

    /// Writes `value` on behalf of `replica`; returns the delta (the register itself).
    @discardableResult
    public mutating func set(_ value: Value, at replica: ReplicaID, clock: Clock = wallClock) -> LWWRegister {
        var write = LWWRegister()
        write.value = value
        write.timestamp = clock(timestamp, value)
        write.replica = replica
        merge(write)
        return write
    }

    public mutating func merge(_ other: LWWRegister) {
        if other.orders(after: self) { self = other }
    }

    /// Whether this write wins over `other`: a larger timestamp, or the same and a larger replica.
    func orders(after other: LWWRegister) -> Bool {
        if timestamp != other.timestamp { return timestamp > other.timestamp }
        guard let replica else { return false }
        guard let theirs = other.replica else { return true }
        return replica > theirs
    }

    private enum CodingKeys: String, CodingKey {
        case value = "v"
        case timestamp = "t"
        case replica = "r"
    }
}
