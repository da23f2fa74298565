public import NIOCore

/// `term_to_binary` and `binary_to_term` for Swift: whole terms with the version byte 131, and
/// compressed terms (tag 80).
///
/// ```swift
/// let bytes = try ETF.encode(.tuple(["msg", 12345]))   // [131, 104, 2, 119, 3, ...]
/// let term = try ETF.decode(bytes)
/// ```
public enum ETF {
    /// The version byte that starts every encoded term.
    public static let versionByte: UInt8 = 131

    /// Encodes `term` with the version byte, as `term_to_binary/2` does.
    public static func encode(_ term: Term, options: ETFEncodingOptions = .init()) throws(ETFError) -> [UInt8] {
        if options.compressionLevel != nil, !term.isLocal {
            var buffer = ByteBufferAllocator().buffer(capacity: 64)
            try encode(term, into: &buffer, options: options)
            return buffer.readBytes(length: buffer.readableBytes)!
        }
        let size = try ETFSize.of(term, at: 1)
        return [UInt8](unsafeUninitializedCapacity: size + 1) { buffer, count in
            let base = UnsafeMutableRawPointer(buffer.baseAddress!)
            base.storeBytes(of: versionByte, as: UInt8.self)
            var output = ETFRawOutput(base: base + 1)
            output.write(term)
            count = output.offset + 1
        }
    }

    /// Appends `term`, with the version byte, to `buffer`.
    public static func encode(
        _ term: Term, into buffer: inout ByteBuffer, options: ETFEncodingOptions = .init()
    ) throws(ETFError) {
        let start = buffer.writerIndex
        buffer.writeInteger(versionByte)
        try ETFWriter().write(term, into: &buffer)
        // A LOCAL_EXT term stays as it is: its bytes are the local node's business.
        if let level = options.compressionLevel, !term.isLocal {
            let plainCount = buffer.writerIndex - start - 1
            let plain = buffer.getSlice(at: start + 1, length: plainCount)!
            let compressed = try plain.withUnsafeReadableBytes { raw in
                Result { () throws(ETFError) in try Zlib.deflate(raw, level: level) }
            }.get()
            // As OTP does: keep the compressed form only when it is smaller.
            if compressed.count + 5 < plainCount {
                buffer.moveWriterIndex(to: start + 1)
                buffer.writeMultipleIntegers(ETFTag.compressed, UInt32(plainCount))
                buffer.writeBytes(compressed)
            }
        }
    }

    /// Decodes one whole term (with its version byte); trailing bytes are an error.
    public static func decode(_ bytes: [UInt8], options: ETFDecodingOptions = .init()) throws(ETFError) -> Term {
        try bytes.withUnsafeBytes { raw in Result { () throws(ETFError) in try decode(raw, options: options) } }.get()
    }

    /// Decodes the readable bytes of `buffer` as one whole term (with its version byte).
    public static func decode(_ buffer: ByteBuffer, options: ETFDecodingOptions = .init()) throws(ETFError) -> Term {
        try buffer.withUnsafeReadableBytes { raw in
            Result { () throws(ETFError) in try decode(raw, options: options) }
        }.get()
    }

    /// Decodes one whole term (with its version byte) from raw bytes.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, options: ETFDecodingOptions = .init()
    ) throws(ETFError) -> Term {
        var reader = ETFReader(bytes: bytes, options: options)
        let version = try reader.readUInt8()
        guard version == versionByte else { throw ETFError(.badVersion(version), at: 0) }
        let tag = try reader.readUInt8()
        let term: Term
        switch tag {
        case ETFTag.compressed:
            return try decodeCompressed(&reader, options: options)
        case ETFTag.local:
            guard options.acceptsLocalExt else { throw ETFError(.unknownTag(tag), at: 1) }
            term = .local(try reader.readBytes(reader.remaining))
        default:
            term = try reader.readTerm(tag: tag)
        }
        guard reader.remaining == 0 else { throw ETFError(.trailingBytes(reader.remaining), at: reader.offset) }
        return term
    }

    private static func decodeCompressed(
        _ reader: inout ETFReader, options: ETFDecodingOptions
    ) throws(ETFError) -> Term {
        let sizeOffset = reader.offset
        let size = Int(try reader.readUInt32())
        guard size <= options.maximumDecompressedSize else {
            throw ETFError(.decompressedTooLarge(size: size, limit: options.maximumDecompressedSize), at: sizeOffset)
        }
        guard size > 0 else { throw ETFError(.decompressionFailed("empty term"), at: sizeOffset) }
        let compressed = UnsafeRawBufferPointer(rebasing: reader.bytes[reader.offset...])
        // zlib cannot expand data more than about 1032:1, so a larger stated size is a lie; checking
        // it first keeps a tiny message from making the decoder allocate its stated size.
        guard size <= compressed.count * 1032 + 64 else {
            throw ETFError(
                .decompressionFailed("stated size \(size) is impossible for \(compressed.count) bytes"), at: sizeOffset)
        }
        let plain = try Zlib.inflate(compressed, expectedSize: size, at: reader.offset)
        return try plain.withUnsafeBytes { raw in
            Result { () throws(ETFError) in
                var inner = ETFReader(bytes: raw, options: options)
                if options.acceptsLocalExt, raw.first == ETFTag.local {
                    return .local(Array(raw[1...]))
                }
                let term = try inner.readTerm()
                guard inner.remaining == 0 else { throw ETFError(.trailingBytes(inner.remaining), at: inner.offset) }
                return term
            }
        }.get()
    }
}
