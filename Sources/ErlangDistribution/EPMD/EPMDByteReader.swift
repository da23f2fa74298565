import NIOCore

/// A bounds-checked cursor over one EPMD message: every read checks the bytes that remain and
/// throws ``EPMDDecodingError/truncated(message:field:)`` instead of trapping.
struct EPMDByteReader {
    private(set) var buffer: ByteBuffer
    /// The message's name, for errors.
    let message: String

    init(_ buffer: ByteBuffer, message: String) {
        self.buffer = buffer
        self.message = message
    }

    var remaining: Int { buffer.readableBytes }

    mutating func readUInt8(_ field: String) throws(EPMDDecodingError) -> UInt8 {
        guard let value = buffer.readInteger(as: UInt8.self) else {
            throw .truncated(message: message, field: field)
        }
        return value
    }

    mutating func readUInt16(_ field: String) throws(EPMDDecodingError) -> UInt16 {
        guard let value = buffer.readInteger(endianness: .big, as: UInt16.self) else {
            throw .truncated(message: message, field: field)
        }
        return value
    }

    mutating func readUInt32(_ field: String) throws(EPMDDecodingError) -> UInt32 {
        guard let value = buffer.readInteger(endianness: .big, as: UInt32.self) else {
            throw .truncated(message: message, field: field)
        }
        return value
    }

    mutating func readBytes(_ count: Int, _ field: String) throws(EPMDDecodingError) -> [UInt8] {
        guard count >= 0, let bytes = buffer.readBytes(length: count) else {
            throw .truncated(message: message, field: field)
        }
        return bytes
    }

    /// Reads `count` bytes that must be valid UTF-8.
    mutating func readString(_ count: Int, _ field: String) throws(EPMDDecodingError) -> String {
        let bytes = try readBytes(count, field)
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw .invalidUTF8(message: message, field: field)
        }
        return string
    }

    /// Throws when bytes remain after the last field.
    func expectEnd() throws(EPMDDecodingError) {
        guard remaining == 0 else { throw .trailingBytes(message: message, count: remaining) }
    }
}

extension ByteBuffer {
    /// Writes a length of at most 65535 as two big-endian bytes; longer values are a caller bug
    /// that the encoders rule out with their preconditions.
    mutating func writeEPMDLength(_ length: Int) {
        writeInteger(UInt16(length), endianness: .big)
    }
}
