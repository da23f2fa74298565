/// The name of a replicated value and its type, as `DataKey<PNCounter>("hits")`.
///
/// Every node that uses a key must use it with the same type; a value arriving from a peer under
/// a type this node does not know is refused (see ``ReplicatedTypes``).
public struct DataKey<Value: ReplicatedData>: Hashable, Sendable, CustomStringConvertible {
    /// The key's name, unique in the replicator.
    public let id: String

    /// The key `id`.
    public init(_ id: String) { self.id = id }

    public var description: String { id }
}

/// How many replicas a read asks or a write must reach, this one included.
public enum Consistency: Sendable, Hashable {
    /// This node only: a write returns once applied here (the delta reaches the others in the
    /// background); a read returns the local value.
    case local
    /// `n` nodes.
    case nodes(Int)
    /// More than half of the known replicas.
    case majority
    /// Every known replica.
    case all

    /// Replicas needed out of `known` replicas (this one included).
    func needed(of known: Int) -> Int {
        switch self {
        case .local: 1
        case .nodes(let n): max(1, n)
        case .majority: known / 2 + 1
        case .all: known
        }
    }
}
