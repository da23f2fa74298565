public import NIOCore

/// EPMD's reply to `PORT_PLEASE2_REQ` (`PORT2_RESP`, tag 119).
public enum EPMDPort2Response: Hashable, Sendable {
    /// The node is registered (result 0), with everything it registered.
    case found(EPMDNodeInfo)
    /// No node has that name: `[119, result]` with a non-zero result (OTP's `epmd` sends 1).
    case notFound(result: UInt8)

    /// Writes the reply.
    ///
    /// - Precondition: the name and extra field of a found node are at most 65535 bytes each.
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(EPMDMessageTag.port2Response.rawValue)
        switch self {
        case .notFound(let result):
            buffer.writeInteger(result == 0 ? 1 : result)
        case .found(let node):
            let name = Array(node.name.utf8)
            precondition(name.count <= Int(UInt16.max) && node.extra.count <= Int(UInt16.max))
            buffer.writeInteger(UInt8(0))
            buffer.writeInteger(node.port, endianness: .big)
            buffer.writeInteger(node.nodeType.rawValue)
            buffer.writeInteger(node.protocol)
            buffer.writeInteger(node.highestVersion, endianness: .big)
            buffer.writeInteger(node.lowestVersion, endianness: .big)
            buffer.writeEPMDLength(name.count)
            buffer.writeBytes(name)
            buffer.writeEPMDLength(node.extra.count)
            buffer.writeBytes(node.extra)
        }
    }

    /// Reads a reply from the front of `buffer` (replies are not framed).
    ///
    /// - Returns: the reply, consumed; `nil`, with nothing consumed, when more bytes are needed.
    /// - Throws: ``EPMDDecodingError`` when the bytes cannot be a `PORT2_RESP` (a wrong tag, or a
    ///   name that is not UTF-8).
    public static func read(from buffer: inout ByteBuffer) throws(EPMDDecodingError) -> EPMDPort2Response? {
        let start = buffer.readerIndex
        guard let tag = buffer.getInteger(at: start, as: UInt8.self) else { return nil }
        guard tag == EPMDMessageTag.port2Response.rawValue else {
            throw .unexpectedReplyTag(expected: EPMDMessageTag.port2Response.rawValue, actual: tag)
        }
        guard let result = buffer.getInteger(at: start + 1, as: UInt8.self) else { return nil }
        guard result == 0 else {
            buffer.moveReaderIndex(forwardBy: 2)
            return .notFound(result: result)
        }
        // The fixed part is 12 bytes, then the name, then 2 bytes of extra length, then the extra.
        guard let nameLength = buffer.getInteger(at: start + 10, endianness: .big, as: UInt16.self),
            let extraLength = buffer.getInteger(at: start + 12 + Int(nameLength), endianness: .big, as: UInt16.self)
        else { return nil }
        let size = 14 + Int(nameLength) + Int(extraLength)
        guard buffer.readableBytes >= size else { return nil }
        var reader = EPMDByteReader(buffer.getSlice(at: start, length: size)!, message: "PORT2_RESP")
        _ = try reader.readUInt16("tag and result")
        let port = try reader.readUInt16("port")
        let nodeType = try reader.readUInt8("node type")
        let proto = try reader.readUInt8("protocol")
        let highest = try reader.readUInt16("highest version")
        let lowest = try reader.readUInt16("lowest version")
        let name = try reader.readString(Int(try reader.readUInt16("name length")), "node name")
        let extra = try reader.readBytes(Int(try reader.readUInt16("extra length")), "extra")
        buffer.moveReaderIndex(forwardBy: size)
        return .found(
            EPMDNodeInfo(
                name: name, port: port, nodeType: EPMDNodeType(rawValue: nodeType), protocol: proto,
                highestVersion: highest, lowestVersion: lowest, extra: extra))
    }
}
