/// Why bytes from the network are not a valid EPMD message.
///
/// Decoders never trap on bad input: every length is checked against the bytes that remain.
public enum EPMDDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The message ends before the field `field` of `message`.
    case truncated(message: String, field: String)
    /// A request frame with length 0.
    case emptyRequest
    /// A request whose tag is not one Colony serves.
    case unknownRequest(tag: UInt8)
    /// A reply that does not start with the tag `expected`.
    case unexpectedReplyTag(expected: UInt8, actual: UInt8)
    /// `count` bytes follow the last field of `message`.
    case trailingBytes(message: String, count: Int)
    /// The field `field` of `message` is not valid UTF-8.
    case invalidUTF8(message: String, field: String)
    /// A `NAMES_RESP` line that is not `name NAME at port PORT`.
    case malformedNamesLine(String)
    /// A node name holds a NUL byte.
    case nulInName(message: String)
    /// A reply longer than Colony accepts.
    case replyTooLarge(limit: Int)

    /// A sentence saying what is wrong with the bytes.
    public var description: String {
        switch self {
        case .truncated(let message, let field): "EPMD \(message) ends before its \(field)"
        case .emptyRequest: "empty EPMD request"
        case .unknownRequest(let tag): "unknown EPMD request tag \(tag)"
        case .unexpectedReplyTag(let expected, let actual): "EPMD reply tag \(actual), expected \(expected)"
        case .trailingBytes(let message, let count): "\(count) bytes after the end of EPMD \(message)"
        case .invalidUTF8(let message, let field): "EPMD \(message): \(field) is not valid UTF-8"
        case .malformedNamesLine(let line): "malformed EPMD NAMES line \(String(reflecting: line))"
        case .nulInName(let message): "EPMD \(message): the node name holds a NUL byte"
        case .replyTooLarge(let limit): "EPMD reply longer than \(limit) bytes"
        }
    }
}
