/// Appends integers (big-endian), byte strings and names to a buffer.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u32(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    mutating func u64(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    mutating func bool(_ value: Bool) { u8(value ? 1 : 0) }

    /// A length (u32), then the bytes.
    mutating func blob(_ value: [UInt8]) {
        u32(UInt32(value.count))
        bytes += value
    }

    mutating func server(_ server: RaftServerID) { blob(Array(server.name.utf8)) }

    mutating func optionalServer(_ server: RaftServerID?) {
        if let server {
            u8(1)
            self.server(server)
        } else {
            u8(0)
        }
    }
}

/// Reads what ``ByteWriter`` wrote, checking every length against what is left.
struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func u8() throws(RaftCodecError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u32() throws(RaftCodecError) -> UInt32 {
        guard remaining >= 4 else { throw .truncated }
        var value: UInt32 = 0
        for index in offset..<offset + 4 { value = value << 8 | UInt32(bytes[index]) }
        offset += 4
        return value
    }

    mutating func u64() throws(RaftCodecError) -> UInt64 {
        guard remaining >= 8 else { throw .truncated }
        var value: UInt64 = 0
        for index in offset..<offset + 8 { value = value << 8 | UInt64(bytes[index]) }
        offset += 8
        return value
    }

    /// A term or an index: refused from 2^62 on, far past anything real, so that no arithmetic on
    /// it can overflow.
    mutating func position() throws(RaftCodecError) -> UInt64 {
        let value = try u64()
        guard value < 1 << 62 else { throw .invalid("term or index \(value) out of range") }
        return value
    }

    mutating func bool() throws(RaftCodecError) -> Bool {
        switch try u8() {
        case 0: false
        case 1: true
        case let other: throw .invalid("boolean \(other)")
        }
    }

    mutating func blob() throws(RaftCodecError) -> [UInt8] {
        let count = Int(try u32())
        guard count <= remaining else { throw .truncated }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// A count of items that each take at least `minimumSize` bytes: refused if the rest of the
    /// input could not hold them, so a forged count allocates nothing.
    mutating func count(minimumSize: Int) throws(RaftCodecError) -> Int {
        let count = Int(try u32())
        guard count <= remaining / max(1, minimumSize) else { throw .invalid("count \(count) exceeds the input") }
        return count
    }

    mutating func server() throws(RaftCodecError) -> RaftServerID {
        let bytes = try blob()
        guard bytes.count <= RaftCodec.maxServerNameBytes else { throw .invalid("server name of \(bytes.count) bytes") }
        guard let name = String(validating: bytes, as: UTF8.self) else { throw .invalid("server name not UTF-8") }
        return RaftServerID(name)
    }

    mutating func optionalServer() throws(RaftCodecError) -> RaftServerID? {
        try bool() ? try server() : nil
    }
}
