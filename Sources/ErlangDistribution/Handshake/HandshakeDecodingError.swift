/// Why a handshake message could not be decoded.
public enum HandshakeDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The message has no bytes, not even a tag.
    case empty
    /// The tag is not one the sender may send in the version 6 handshake.
    case unexpectedTag(UInt8, sender: HandshakeRole)
    /// The message ended early: `message` needs `needed` bytes after its tag, and has `available`.
    case truncated(message: String, needed: Int, available: Int)
    /// Bytes follow a message that has a fixed size.
    case trailingBytes(message: String, count: Int)
    /// A node name that is empty, longer than 255 characters, or not valid UTF-8.
    case invalidName(String)
    /// A status text that is not defined for this sender.
    case unknownStatus(String)
    /// A frame longer than the handshake allows, or a frame decoder fed after its end.
    case invalidFrame(String)

    public var description: String {
        switch self {
        case .empty:
            "empty handshake message"
        case .unexpectedTag(let tag, let sender):
            "unexpected handshake message tag \(tag) (\(Self.printable(tag))) from the \(sender)"
        case .truncated(let message, let needed, let available):
            "truncated \(message): needs \(needed) bytes after the tag, has \(available)"
        case .trailingBytes(let message, let count):
            "\(count) unexpected bytes after \(message)"
        case .invalidName(let reason):
            "invalid node name: \(reason)"
        case .unknownStatus(let text):
            "unknown handshake status \"\(text)\""
        case .invalidFrame(let reason):
            "invalid handshake frame: \(reason)"
        }
    }

    private static func printable(_ byte: UInt8) -> String {
        (0x20..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "not printable"
    }
}
