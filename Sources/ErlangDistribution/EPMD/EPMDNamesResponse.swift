public import NIOCore

/// EPMD's reply to `NAMES_REQ`: its own port, then one text line per registered node.
///
/// The reply has no length: it ends when EPMD closes the connection, so it is decoded from all
/// the bytes received once the connection is closed.
public struct EPMDNamesResponse: Hashable, Sendable {
    /// One registered node.
    public struct Entry: Hashable, Sendable {
        /// The node's name without the host part.
        public var name: String
        /// The node's distribution port.
        public var port: Int

        /// An entry.
        public init(name: String, port: Int) {
            self.name = name
            self.port = port
        }
    }

    /// The port EPMD listens on, as it reports it (OTP's `net_adm:names/1` checks that it is the
    /// port it connected to).
    public var epmdPort: UInt32
    /// The registered nodes, in the order EPMD listed them.
    public var entries: [Entry]

    /// A reply.
    public init(epmdPort: UInt32, entries: [Entry]) {
        self.epmdPort = epmdPort
        self.entries = entries
    }

    /// Writes the reply: the port, then `name NAME at port PORT\n` for each entry.
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(epmdPort, endianness: .big)
        for entry in entries {
            buffer.writeString("name \(entry.name) at port \(entry.port)\n")
        }
    }

    /// Decodes a complete reply (everything EPMD sent before it closed the connection).
    ///
    /// An EPMD with no names may close without sending its port; that decodes as port 0 with no
    /// entries, as OTP's client reads it.
    public init(decoding bytes: ByteBuffer) throws(EPMDDecodingError) {
        guard bytes.readableBytes > 0 else {
            self.init(epmdPort: 0, entries: [])
            return
        }
        var reader = EPMDByteReader(bytes, message: "NAMES_RESP")
        let port = try reader.readUInt32("EPMD port")
        let text = try reader.readBytes(reader.remaining, "node lines")
        guard text.isEmpty || text.last == UInt8(ascii: "\n") else {
            throw .truncated(message: "NAMES_RESP", field: "end of line")
        }
        var entries: [Entry] = []
        for line in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast() {
            entries.append(try Self.parse(line: line))
        }
        self.init(epmdPort: port, entries: entries)
    }

    /// Parses `name NAME at port PORT` (without its newline); the name ends at the last
    /// ` at port `.
    private static func parse(line: ArraySlice<UInt8>) throws(EPMDDecodingError) -> Entry {
        let prefix = Array("name ".utf8)
        let separator = Array(" at port ".utf8)
        let malformed = EPMDDecodingError.malformedNamesLine(String(decoding: line, as: UTF8.self))
        guard line.starts(with: prefix) else { throw malformed }
        let nameStart = line.startIndex + prefix.count
        var cut = line.endIndex - separator.count
        while cut > nameStart, !line[cut..<(cut + separator.count)].elementsEqual(separator) {
            cut -= 1
        }
        guard cut > nameStart, let name = String(validating: line[nameStart..<cut], as: UTF8.self) else {
            throw malformed
        }
        let digits = line[(cut + separator.count)...]
        guard (1...5).contains(digits.count), digits.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw malformed
        }
        let port = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard port <= Int(UInt16.max) else { throw malformed }
        return Entry(name: name, port: port)
    }
}
