/// One message of the version 6 distribution handshake, without its 2-byte length prefix.
///
/// The same tag can mean different things depending on who sends it (`'N'` is `send_name` from
/// the initiator but the challenge from the acceptor), so decoding needs the sender: see
/// ``decode(_:sentBy:)``. Encoding is in `HandshakeMessage+Encoding.swift`, decoding in
/// `HandshakeMessage+Decoding.swift`.
///
/// ```
/// initiator (A)                                   acceptor (B)
///   name 'N' (or old 'n')        ---------------->
///                                <----------------  status 's'
///   [status 's' true|false, after 'alive'] ------>
///                                <----------------  challenge 'N'
///   [complement 'c', after old 'n'] ------------->
///   challengeReply 'r'           ---------------->
///                                <----------------  challengeAck 'a'
/// ```
public enum HandshakeMessage: Sendable, Hashable {
    /// `send_name` (`'N'`, version 6), from the initiator: its flags, creation and full node name.
    case name(flags: DistributionFlags, creation: UInt32, name: String)
    /// The old `send_name` (`'n'`, version 5), from an OTP 23 or 24 initiator that did not ask
    /// EPMD for the acceptor's version: `version` (always 5), the low 32 bits of its flags, and
    /// its name. It is followed by a ``complement(flagsHigh:creation:)`` after the challenge.
    case oldName(version: UInt16, flags: DistributionFlags, name: String)
    /// A status message (`'s'`): from the acceptor after `send_name`, or from the initiator in
    /// answer to ``HandshakeStatus/alive``.
    case status(HandshakeStatus)
    /// The challenge (`'N'`, version 6), from the acceptor: its flags, a random 32-bit challenge,
    /// its creation and its full node name.
    case challenge(flags: DistributionFlags, challenge: UInt32, creation: UInt32, name: String)
    /// The complement (`'c'`), from an initiator that sent ``oldName(version:flags:name:)``: the
    /// high 32 bits of its flags and its creation.
    case complement(flagsHigh: UInt32, creation: UInt32)
    /// The challenge reply (`'r'`), from the initiator: its own challenge for the acceptor and the
    /// digest of the acceptor's challenge.
    case challengeReply(challenge: UInt32, digest: HandshakeDigest)
    /// The challenge acknowledgement (`'a'`), from the acceptor: the digest of the initiator's
    /// challenge.
    case challengeAck(digest: HandshakeDigest)

    /// The tag byte that starts the message.
    public var tag: UInt8 {
        switch self {
        case .name: UInt8(ascii: "N")
        case .oldName: UInt8(ascii: "n")
        case .status: UInt8(ascii: "s")
        case .challenge: UInt8(ascii: "N")
        case .complement: UInt8(ascii: "c")
        case .challengeReply: UInt8(ascii: "r")
        case .challengeAck: UInt8(ascii: "a")
        }
    }

    /// The most characters a node name may have: node names are atoms.
    public static let maximumNameLength = 255
}

extension HandshakeMessage: CustomStringConvertible {
    public var description: String {
        switch self {
        case .name(let flags, let creation, let name):
            "send_name(name: \(name), creation: \(creation), flags: 0x\(String(flags.rawValue, radix: 16)))"
        case .oldName(let version, let flags, let name):
            "send_name_v\(version)(name: \(name), flags: 0x\(String(flags.rawValue, radix: 16)))"
        case .status(let status):
            "status(\(status))"
        case .challenge(let flags, let challenge, let creation, let name):
            "challenge(name: \(name), challenge: \(challenge), creation: \(creation), "
                + "flags: 0x\(String(flags.rawValue, radix: 16)))"
        case .complement(let flagsHigh, let creation):
            "complement(flagsHigh: 0x\(String(flagsHigh, radix: 16)), creation: \(creation))"
        case .challengeReply(let challenge, let digest):
            "challenge_reply(challenge: \(challenge), digest: \(digest))"
        case .challengeAck(let digest):
            "challenge_ack(digest: \(digest))"
        }
    }
}
