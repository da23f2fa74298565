/// The highest event seen from each replica; merge takes the larger count per replica.
public struct VersionVector: Hashable, Sendable, Codable {
    /// Highest counter per replica.
    public private(set) var counters: [ReplicaID: UInt64]

    /// An empty vector.
    public init(_ counters: [ReplicaID: UInt64] = [:]) { self.counters = counters }

    /// The highest counter seen from `replica` (0 when none).
    public subscript(replica: ReplicaID) -> UInt64 { counters[replica] ?? 0 }

    /// Whether `dot` is covered.
    public func contains(_ dot: Dot) -> Bool { dot.counter <= self[dot.replica] }

    /// Records `dot`.
    public mutating func add(_ dot: Dot) {
        if dot.counter > self[dot.replica] { counters[dot.replica] = dot.counter }
    }

    /// The pointwise maximum.
    public mutating func merge(_ other: VersionVector) {
        counters.merge(other.counters, uniquingKeysWith: max)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(counters)
    }

    public init(from decoder: any Decoder) throws {
        counters = try decoder.singleValueContainer().decode([ReplicaID: UInt64].self)
    }
}
