public import NIOCore

extension HandshakeMessage {
    /// Decodes one message body (tag and fields, without the length prefix) sent by `sender`.
    ///
    /// Every length is checked against the bytes present before it is read. As the protocol
    /// requires, extra bytes after the node name of `send_name`, the challenge and a `named:`
    /// status are accepted and ignored; any other message must have exactly its size.
    public static func decode(
        _ body: ByteBuffer, sentBy sender: HandshakeRole
    ) throws(HandshakeDecodingError) -> HandshakeMessage {
        var reader = body
        guard let tag = reader.readInteger(as: UInt8.self) else { throw .empty }
        switch (sender, tag) {
        case (.initiator, UInt8(ascii: "N")):
            return try decodeName(&reader)
        case (.initiator, UInt8(ascii: "n")):
            return try decodeOldName(&reader)
        case (.initiator, UInt8(ascii: "s")):
            return try decodeAliveReply(&reader)
        case (.initiator, UInt8(ascii: "c")):
            try require(reader, exactly: 8, for: "complement")
            return .complement(flagsHigh: reader.readInteger()!, creation: reader.readInteger()!)
        case (.initiator, UInt8(ascii: "r")):
            try require(reader, exactly: 20, for: "challenge_reply")
            let challenge: UInt32 = reader.readInteger()!
            return .challengeReply(challenge: challenge, digest: HandshakeDigest(bytes: reader.readableBytesView)!)
        case (.acceptor, UInt8(ascii: "s")):
            return try decodeStatus(&reader)
        case (.acceptor, UInt8(ascii: "N")):
            return try decodeChallenge(&reader)
        case (.acceptor, UInt8(ascii: "a")):
            try require(reader, exactly: 16, for: "challenge_ack")
            return .challengeAck(digest: HandshakeDigest(bytes: reader.readableBytesView)!)
        default:
            throw .unexpectedTag(tag, sender: sender)
        }
    }

    private static func decodeName(_ reader: inout ByteBuffer) throws(HandshakeDecodingError) -> HandshakeMessage {
        try require(reader, atLeast: 14, for: "send_name")
        let flags = DistributionFlags(rawValue: reader.readInteger()!)
        let creation: UInt32 = reader.readInteger()!
        let name = try readName(&reader, for: "send_name")
        return .name(flags: flags, creation: creation, name: name)
    }

    private static func decodeOldName(_ reader: inout ByteBuffer) throws(HandshakeDecodingError) -> HandshakeMessage {
        try require(reader, atLeast: 6, for: "send_name (version 5)")
        let version: UInt16 = reader.readInteger()!
        let flags = DistributionFlags(rawValue: UInt64(reader.readInteger(as: UInt32.self)!))
        let name = try validatedName(reader.readBytes(length: reader.readableBytes)!)
        return .oldName(version: version, flags: flags, name: name)
    }

    private static func decodeChallenge(_ reader: inout ByteBuffer) throws(HandshakeDecodingError) -> HandshakeMessage {
        try require(reader, atLeast: 18, for: "challenge")
        let flags = DistributionFlags(rawValue: reader.readInteger()!)
        let challenge: UInt32 = reader.readInteger()!
        let creation: UInt32 = reader.readInteger()!
        let name = try readName(&reader, for: "challenge")
        return .challenge(flags: flags, challenge: challenge, creation: creation, name: name)
    }

    private static func decodeStatus(_ reader: inout ByteBuffer) throws(HandshakeDecodingError) -> HandshakeMessage {
        let named = Array("named:".utf8)
        if reader.readableBytesView.starts(with: named) {
            reader.moveReaderIndex(forwardBy: named.count)
            try require(reader, atLeast: 2, for: "status named:")
            let name = try readName(&reader, for: "status named:")
            guard let creation = reader.readInteger(as: UInt32.self) else {
                throw .truncated(message: "status named:", needed: 4, available: reader.readableBytes)
            }
            return .status(.named(name: name, creation: creation))
        }
        let text = String(decoding: reader.readableBytesView, as: UTF8.self)
        switch text {
        case "ok": return .status(.ok)
        case "ok_simultaneous": return .status(.okSimultaneous)
        case "nok": return .status(.nok)
        case "not_allowed": return .status(.notAllowed)
        case "alive": return .status(.alive)
        default: throw .unknownStatus(String(text.prefix(64)))
        }
    }

    private static func decodeAliveReply(_ reader: inout ByteBuffer) throws(HandshakeDecodingError) -> HandshakeMessage
    {
        let text = String(decoding: reader.readableBytesView, as: UTF8.self)
        switch text {
        case "true": return .status(.aliveReply(true))
        case "false": return .status(.aliveReply(false))
        default: throw .unknownStatus(String(text.prefix(64)))
        }
    }

    /// Reads a 2-byte length and that many bytes of name; the caller checked the length field.
    private static func readName(_ reader: inout ByteBuffer, for message: String) throws(HandshakeDecodingError)
        -> String
    {
        let length = Int(reader.readInteger(as: UInt16.self)!)
        guard let bytes = reader.readBytes(length: length) else {
            throw .truncated(message: message, needed: length, available: reader.readableBytes)
        }
        return try validatedName(bytes)
    }

    private static func validatedName(_ bytes: [UInt8]) throws(HandshakeDecodingError) -> String {
        guard !bytes.isEmpty else { throw .invalidName("empty") }
        guard let name = String(validating: bytes, as: UTF8.self) else { throw .invalidName("not valid UTF-8") }
        guard name.unicodeScalars.count <= maximumNameLength else {
            throw .invalidName("more than \(maximumNameLength) characters")
        }
        return name
    }

    private static func require(_ reader: ByteBuffer, atLeast count: Int, for message: String)
        throws(HandshakeDecodingError)
    {
        guard reader.readableBytes >= count else {
            throw .truncated(message: message, needed: count, available: reader.readableBytes)
        }
    }

    private static func require(_ reader: ByteBuffer, exactly count: Int, for message: String)
        throws(HandshakeDecodingError)
    {
        try require(reader, atLeast: count, for: message)
        guard reader.readableBytes == count else {
            throw .trailingBytes(message: message, count: reader.readableBytes - count)
        }
    }
}
