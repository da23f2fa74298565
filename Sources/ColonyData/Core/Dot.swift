/// One event of one replica: the `counter`-th update that `replica` made to an element.
public struct Dot: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The replica that made the event.
    public let replica: ReplicaID
    /// Its sequence number at that replica, from 1.
    public let counter: UInt64

    /// The event `counter` of `replica`.
    public init(_ replica: ReplicaID, _ counter: UInt64) {
        self.replica = replica
        self.counter = counter
    }

    public static func < (lhs: Dot, rhs: Dot) -> Bool {
        (lhs.replica, lhs.counter) < (rhs.replica, rhs.counter)
    }

    public var description: String { "\(replica):\(counter)" }

    /// Encoded as `[replica, counter]`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(replica)
        try container.encode(counter)
    }

    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        replica = try container.decode(ReplicaID.self)
        counter = try container.decode(UInt64.self)
    }
}
