public import NIOCore

/// EPMD's reply to `ALIVE2_REQ`: `ALIVE2_X_RESP` (32-bit creation) or `ALIVE2_RESP` (16-bit).
///
/// OTP's `epmd` sends `ALIVE2_X_RESP` when the node's highest version is 6 or more, else
/// `ALIVE2_RESP`; a failed registration has a non-zero result (OTP's `epmd` sends 1, with creation
/// 99, when the name is taken, and keeps the connection open).
public struct EPMDAlive2Response: Hashable, Sendable {
    /// Which of the two reply shapes.
    public enum Format: Hashable, Sendable {
        /// `ALIVE2_X_RESP` (118): 4-byte creation.
        case extended
        /// `ALIVE2_RESP` (121): 2-byte creation.
        case legacy

        /// The reply format for a node whose highest distribution version is `highestVersion`.
        public static func forHighestVersion(_ highestVersion: UInt16) -> Format {
            highestVersion >= 6 ? .extended : .legacy
        }
    }

    /// 0 when the node is registered, anything else when EPMD refused it.
    public var result: UInt8
    /// The creation EPMD gave this incarnation of the node (meaningful when ``result`` is 0).
    public var creation: UInt32
    /// The reply's shape.
    public var format: Format

    /// A reply; a ``Format/legacy`` reply keeps the low 16 bits of `creation`.
    public init(result: UInt8, creation: UInt32, format: Format) {
        self.result = result
        self.creation = format == .legacy ? creation & 0xFFFF : creation
        self.format = format
    }

    /// Whether the node is registered.
    public var succeeded: Bool { result == 0 }

    /// Writes the reply.
    public func encode(into buffer: inout ByteBuffer) {
        switch format {
        case .extended:
            buffer.writeInteger(EPMDMessageTag.alive2ExtendedResponse.rawValue)
            buffer.writeInteger(result)
            buffer.writeInteger(creation, endianness: .big)
        case .legacy:
            buffer.writeInteger(EPMDMessageTag.alive2Response.rawValue)
            buffer.writeInteger(result)
            buffer.writeInteger(UInt16(truncatingIfNeeded: creation), endianness: .big)
        }
    }

    /// Reads a reply from the front of `buffer` (replies are not framed).
    ///
    /// - Returns: the reply, consumed; `nil`, with nothing consumed, when more bytes are needed.
    /// - Throws: ``EPMDDecodingError/unexpectedReplyTag(expected:actual:)`` when the first byte is
    ///   neither reply tag.
    public static func read(from buffer: inout ByteBuffer) throws(EPMDDecodingError) -> EPMDAlive2Response? {
        guard let tag = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
        let format: Format
        let size: Int
        switch EPMDMessageTag(rawValue: tag) {
        case .alive2ExtendedResponse: (format, size) = (.extended, 6)
        case .alive2Response: (format, size) = (.legacy, 4)
        default: throw .unexpectedReplyTag(expected: EPMDMessageTag.alive2ExtendedResponse.rawValue, actual: tag)
        }
        guard buffer.readableBytes >= size else { return nil }
        var reader = EPMDByteReader(buffer.readSlice(length: size)!, message: "ALIVE2 reply")
        _ = try reader.readUInt8("tag")
        let result = try reader.readUInt8("result")
        let creation =
            format == .extended ? try reader.readUInt32("creation") : UInt32(try reader.readUInt16("creation"))
        return EPMDAlive2Response(result: result, creation: creation, format: format)
    }
}
