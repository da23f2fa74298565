/// Who made an update: a node's name and the incarnation of its data.
///
/// A node that restarts without its durable data starts a new incarnation, so the counts and dots
/// it creates never collide with those of its earlier life that other replicas still hold.
public struct ReplicaID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The node's name, such as `a@host`.
    public let node: String
    /// Which life of the node's data this is.
    public let incarnation: UInt64
    /// The node name's hash, taken once: replica ids are dictionary keys on every update.
    private let nodeHash: Int

    /// A replica of `node` in its `incarnation`.
    public init(node: String, incarnation: UInt64) {
        self.node = node
        self.incarnation = incarnation
        nodeHash = node.hashValue
    }

    public static func == (lhs: ReplicaID, rhs: ReplicaID) -> Bool {
        lhs.incarnation == rhs.incarnation && lhs.nodeHash == rhs.nodeHash && lhs.node == rhs.node
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(nodeHash)
        hasher.combine(incarnation)
    }

    public static func < (lhs: ReplicaID, rhs: ReplicaID) -> Bool {
        (lhs.node, lhs.incarnation) < (rhs.node, rhs.incarnation)
    }

    public var description: String { "\(node)/\(incarnation)" }

    /// Encoded as the one string `node/incarnation`, compact as a map key.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let slash = text.lastIndex(of: "/"), let incarnation = UInt64(text[text.index(after: slash)...])
        else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a replica id: \(text)"))
        }
        self.init(node: String(text[..<slash]), incarnation: incarnation)
    }
}
