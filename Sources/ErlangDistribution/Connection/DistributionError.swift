public import ErlangTerm

/// Why a peer's distribution traffic was refused. Any of these closes the connection: a peer that
/// sends malformed data is disconnected, never allowed to crash the node.
public enum DistributionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A frame is larger than the configured maximum.
    case frameTooLarge(size: Int, limit: Int)
    /// A frame does not start with a distribution header this side understands.
    case badHeader(String)
    /// A term in a frame did not decode.
    case badTerm(ETFError)
    /// A control message that is not a tuple of a known operation.
    case unknownControlMessage(String)
    /// Fragments arrived out of sequence, or too many sequences are open at once.
    case badFragment(String)
    /// A reassembled message is larger than the configured maximum.
    case messageTooLarge(size: Int, limit: Int)
    /// Fragmented messages being reassembled would hold more than a connection or the node allows.
    case fragmentLimit(String)

    public var description: String {
        switch self {
        case .frameTooLarge(let size, let limit): return "frame of \(size) bytes exceeds the limit of \(limit)"
        case .badHeader(let why): return "bad distribution header: \(why)"
        case .badTerm(let error): return "bad term: \(error)"
        case .unknownControlMessage(let what): return "unknown control message \(what)"
        case .badFragment(let why): return "bad fragment: \(why)"
        case .messageTooLarge(let size, let limit): return "message of \(size) bytes exceeds the limit of \(limit)"
        case .fragmentLimit(let why): return "fragment limit: \(why)"
        }
    }
}
