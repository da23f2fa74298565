public import NIOCore

/// A request to EPMD: the body of one length-prefixed frame.
public enum EPMDRequest: Hashable, Sendable {
    /// `ALIVE2_REQ`: register `node`; the connection keeps the registration alive.
    case alive2(EPMDNodeInfo)
    /// `PORT_PLEASE2_REQ`: where does the node called `name` listen?
    case portPlease2(name: String)
    /// `NAMES_REQ`: list every registered name with its port.
    case names

    /// The tag byte that starts the request.
    public var tag: EPMDMessageTag {
        switch self {
        case .alive2: .alive2Request
        case .portPlease2: .portPlease2Request
        case .names: .namesRequest
        }
    }

    // MARK: Encoding

    /// Writes the request with its 2-byte length prefix, ready to send.
    ///
    /// - Precondition: the name and extra field are at most 65535 bytes each, and the whole
    ///   request fits a 2-byte length (``EPMDLimits`` keeps valid requests far below that).
    public func encode(into buffer: inout ByteBuffer) {
        let lengthIndex = buffer.writerIndex
        buffer.writeInteger(UInt16(0))
        let bodyStart = buffer.writerIndex
        encodeBody(into: &buffer)
        let length = buffer.writerIndex - bodyStart
        precondition(length <= Int(UInt16.max), "EPMD request of \(length) bytes does not fit its frame")
        buffer.setInteger(UInt16(length), at: lengthIndex, endianness: .big)
    }

    /// Writes the request without its length prefix.
    public func encodeBody(into buffer: inout ByteBuffer) {
        buffer.writeInteger(tag.rawValue)
        switch self {
        case .alive2(let node):
            let name = Array(node.name.utf8)
            precondition(name.count <= Int(UInt16.max) && node.extra.count <= Int(UInt16.max))
            buffer.writeInteger(node.port, endianness: .big)
            buffer.writeInteger(node.nodeType.rawValue)
            buffer.writeInteger(node.protocol)
            buffer.writeInteger(node.highestVersion, endianness: .big)
            buffer.writeInteger(node.lowestVersion, endianness: .big)
            buffer.writeEPMDLength(name.count)
            buffer.writeBytes(name)
            buffer.writeEPMDLength(node.extra.count)
            buffer.writeBytes(node.extra)
        case .portPlease2(let name):
            buffer.writeString(name)
        case .names:
            break
        }
    }

    /// The request as a framed buffer, ready to send.
    public func encoded(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 16)
        encode(into: &buffer)
        return buffer
    }

    // MARK: Decoding

    /// Reads one framed request from the front of `buffer`.
    ///
    /// - Returns: the request, with its frame consumed; `nil`, with nothing consumed, when the
    ///   frame is not complete yet.
    /// - Throws: ``EPMDDecodingError`` when the frame is complete but not a valid request (the
    ///   frame is consumed).
    public static func readFrame(from buffer: inout ByteBuffer) throws(EPMDDecodingError) -> EPMDRequest? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt16.self),
            buffer.readableBytes >= 2 + Int(length)
        else { return nil }
        buffer.moveReaderIndex(forwardBy: 2)
        let body = buffer.readSlice(length: Int(length))!
        return try EPMDRequest(body: body)
    }

    /// Decodes a request body (the bytes after the length prefix, exactly one request).
    public init(body: ByteBuffer) throws(EPMDDecodingError) {
        guard let tagByte = body.getInteger(at: body.readerIndex, as: UInt8.self) else {
            throw .emptyRequest
        }
        switch EPMDMessageTag(rawValue: tagByte) {
        case .alive2Request:
            self = .alive2(try Self.decodeAlive2(body))
        case .portPlease2Request:
            var reader = EPMDByteReader(body, message: "PORT_PLEASE2_REQ")
            _ = try reader.readUInt8("tag")
            var name = try reader.readBytes(reader.remaining, "node name")
            if name.last == 0 { name.removeLast() }  // epmd accepts a NUL-terminated name
            // A node name never holds NUL: one more would not survive re-encoding.
            guard !name.contains(0) else { throw .nulInName(message: "PORT_PLEASE2_REQ") }
            guard let string = String(validating: name, as: UTF8.self) else {
                throw .invalidUTF8(message: "PORT_PLEASE2_REQ", field: "node name")
            }
            self = .portPlease2(name: string)
        case .namesRequest:
            var reader = EPMDByteReader(body, message: "NAMES_REQ")
            _ = try reader.readUInt8("tag")
            try reader.expectEnd()
            self = .names
        default:
            throw .unknownRequest(tag: tagByte)
        }
    }

    private static func decodeAlive2(_ body: ByteBuffer) throws(EPMDDecodingError) -> EPMDNodeInfo {
        var reader = EPMDByteReader(body, message: "ALIVE2_REQ")
        _ = try reader.readUInt8("tag")
        let port = try reader.readUInt16("port")
        let nodeType = try reader.readUInt8("node type")
        let proto = try reader.readUInt8("protocol")
        let highest = try reader.readUInt16("highest version")
        let lowest = try reader.readUInt16("lowest version")
        let nameLength = try reader.readUInt16("name length")
        let name = try reader.readString(Int(nameLength), "node name")
        let extraLength = try reader.readUInt16("extra length")
        let extra = try reader.readBytes(Int(extraLength), "extra")
        try reader.expectEnd()
        return EPMDNodeInfo(
            name: name, port: port, nodeType: EPMDNodeType(rawValue: nodeType), protocol: proto,
            highestVersion: highest, lowestVersion: lowest, extra: extra)
    }
}
