/// The part of the DNS wire format (RFC 1035, RFC 2782) discovery needs: a query for A or SRV
/// records, and the answers of a response. Responses come from the network, so reading them is
/// bounded: at most ``maximumAnswers`` answers, names of at most 255 bytes, at most
/// ``maximumPointerHops`` compression pointers per name, every length checked against the
/// message; a malformed message is a ``DNSError``, never a crash.
public enum DNSMessage {
    /// The record types asked for.
    public enum RecordType: UInt16, Sendable {
        /// IPv4 addresses.
        case a = 1
        /// Services: priority, weight, port, target host.
        case srv = 33
    }

    /// One answer.
    public enum Record: Sendable, Equatable {
        /// `name` has IPv4 address `address` (dotted).
        case a(name: String, address: String)
        /// `name` is served by `target` on `port`.
        case srv(name: String, priority: UInt16, weight: UInt16, port: UInt16, target: String)
    }

    static let maximumAnswers = 512
    static let maximumPointerHops = 16

    /// A recursive query with `id` for `name`'s records of `type`, with an EDNS0 record that
    /// takes answers of up to 4096 bytes (without it, a server truncates at 512 bytes, about 28
    /// addresses).
    public static func query(id: UInt16, name: String, type: RecordType) throws(DNSError) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1]
        let labels = name.split(separator: ".", omittingEmptySubsequences: true)
        guard !labels.isEmpty, name.utf8.count <= 253 else { throw .badName(name) }
        for label in labels {
            let utf8 = Array(label.utf8)
            guard (1...63).contains(utf8.count) else { throw .badName(name) }
            bytes.append(UInt8(utf8.count))
            bytes += utf8
        }
        bytes += [0, UInt8(type.rawValue >> 8), UInt8(type.rawValue & 0xFF), 0, 1]
        // OPT: root name, type 41, class = UDP payload size 4096, extended flags 0, no data.
        bytes += [0, 0, 41, 0x10, 0x00, 0, 0, 0, 0, 0, 0]
        return bytes
    }

    /// The A and SRV answers of the response to query `id`; other record types are skipped.
    ///
    /// - Throws: ``DNSError`` when the message is not a well-formed response to `id`, or the
    ///   server reports an error other than "no such name" (which gives no answers).
    public static func answers(_ bytes: [UInt8], id: UInt16) throws(DNSError) -> [Record] {
        var reader = Reader(bytes: bytes)
        guard try reader.uint16() == id else { throw .mismatchedID }
        let flags = try reader.uint16()
        guard flags & 0x8000 != 0 else { throw .notAResponse }
        let code = flags & 0x000F
        if code == 3 { return [] }  // NXDOMAIN: nothing listed.
        guard code == 0 else { throw .serverError(Int(code)) }
        // Truncated: the list is partial, and a partial list must not prune anyone.
        guard flags & 0x0200 == 0 else { throw .truncated }
        let questions = Int(try reader.uint16())
        let answerCount = Int(try reader.uint16())
        _ = try reader.uint16()
        _ = try reader.uint16()
        guard questions <= 4, answerCount <= maximumAnswers else { throw .tooLarge }
        for _ in 0..<questions {
            _ = try reader.name()
            try reader.skip(4)
        }
        var records: [Record] = []
        for _ in 0..<answerCount {
            let name = try reader.name()
            let type = try reader.uint16()
            _ = try reader.uint16()  // class
            try reader.skip(4)  // TTL
            let length = Int(try reader.uint16())
            let end = reader.offset + length
            guard end <= bytes.count else { throw .truncated }
            switch type {
            case RecordType.a.rawValue:
                guard length == 4 else { throw .badRecord }
                let octets = bytes[reader.offset..<end].map(String.init)
                records.append(.a(name: name, address: octets.joined(separator: ".")))
            case RecordType.srv.rawValue:
                guard length >= 7 else { throw .badRecord }
                let priority = try reader.uint16()
                let weight = try reader.uint16()
                let port = try reader.uint16()
                let target = try reader.name()
                guard reader.offset <= end else { throw .badRecord }
                records.append(.srv(name: name, priority: priority, weight: weight, port: port, target: target))
            default:
                break
            }
            reader.offset = end
        }
        return records
    }

    /// A bounds-checked cursor over a DNS message.
    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func uint16() throws(DNSError) -> UInt16 {
            guard bytes.count - offset >= 2 else { throw .truncated }
            defer { offset += 2 }
            return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
        }

        mutating func skip(_ count: Int) throws(DNSError) {
            guard bytes.count - offset >= count else { throw .truncated }
            offset += count
        }

        /// A name, following compression pointers (at most `maximumPointerHops`, each pointing
        /// backwards); the cursor ends after the name's bytes at its first position.
        mutating func name() throws(DNSError) -> String {
            var labels: [String] = []
            var position = offset
            var resume: Int?
            var hops = 0
            var total = 0
            while true {
                guard position < bytes.count else { throw .truncated }
                let length = Int(bytes[position])
                if length & 0xC0 == 0xC0 {
                    guard position + 1 < bytes.count else { throw .truncated }
                    let target = (length & 0x3F) << 8 | Int(bytes[position + 1])
                    hops += 1
                    guard hops <= DNSMessage.maximumPointerHops, target < position else { throw .badName("pointer") }
                    if resume == nil { resume = position + 2 }
                    position = target
                    continue
                }
                guard length & 0xC0 == 0 else { throw .badName("label type") }
                if length == 0 {
                    position += 1
                    break
                }
                guard position + 1 + length <= bytes.count else { throw .truncated }
                total += length + 1
                guard total <= 255 else { throw .badName("too long") }
                labels.append(String(decoding: bytes[(position + 1)..<(position + 1 + length)], as: UTF8.self))
                position += 1 + length
            }
            offset = resume ?? position
            return labels.joined(separator: ".")
        }
    }
}

/// Why a DNS message was not usable.
public enum DNSError: Error, Equatable, CustomStringConvertible {
    /// The message ends early.
    case truncated
    /// The answer is to another query.
    case mismatchedID
    /// The message is a query, not a response.
    case notAResponse
    /// The server answered with this error code.
    case serverError(Int)
    /// More questions or answers than a discovery response has.
    case tooLarge
    /// A name that cannot be sent or read.
    case badName(String)
    /// A record whose data does not fit its type.
    case badRecord
    /// No answer came in time.
    case timeout

    public var description: String {
        switch self {
        case .truncated: "the DNS message ends early"
        case .mismatchedID: "the DNS answer is to another query"
        case .notAResponse: "not a DNS response"
        case .serverError(let code): "the DNS server answered with error \(code)"
        case .tooLarge: "too many records in the DNS message"
        case .badName(let what): "bad DNS name (\(what))"
        case .badRecord: "a DNS record does not fit its type"
        case .timeout: "no DNS answer in time"
        }
    }
}
