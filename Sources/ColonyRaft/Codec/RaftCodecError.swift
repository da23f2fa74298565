/// Why bytes did not decode as a Raft message, entry or stored record.
public enum RaftCodecError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The input ended inside a value.
    case truncated
    /// A value is malformed; the text says which.
    case invalid(String)

    public var description: String {
        switch self {
        case .truncated: "truncated Raft record"
        case .invalid(let detail): "invalid Raft record: \(detail)"
        }
    }
}
