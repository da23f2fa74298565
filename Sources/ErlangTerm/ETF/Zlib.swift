import CZlib

/// zlib streams for compressed terms (ETF tag 80), through the system's libz.
enum Zlib {
    /// Compresses `input` into a zlib stream at `level` (1–9).
    static func deflate(_ input: UnsafeRawBufferPointer, level: Int) throws(ETFError) -> [UInt8] {
        var bound = Int(compressBound(uLong(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let status = output.withUnsafeMutableBufferPointer { out in
            var length = uLongf(bound)
            let status = compress2(
                out.baseAddress, &length, input.baseAddress?.assumingMemoryBound(to: Bytef.self), uLong(input.count),
                Int32(max(1, min(9, level))))
            bound = Int(length)
            return status
        }
        guard status == Z_OK else { throw ETFError(.unencodable("zlib compress2 failed (\(status))"), at: 0) }
        output.removeSubrange(bound...)
        return output
    }

    /// Inflates a zlib stream that must expand to exactly `expectedSize` bytes. Never writes past
    /// `expectedSize`: a stream that would expand further is an error (a zip bomb stops there).
    static func inflate(_ input: UnsafeRawBufferPointer, expectedSize: Int, at offset: Int) throws(ETFError) -> [UInt8]
    {
        var output = [UInt8](repeating: 0, count: expectedSize)
        var failure: String?
        output.withUnsafeMutableBufferPointer { out in
            var stream = z_stream()
            guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                failure = "inflateInit failed"
                return
            }
            defer { inflateEnd(&stream) }
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count)
            stream.next_out = out.baseAddress
            stream.avail_out = uInt(expectedSize)
            let status = CZlib.inflate(&stream, Z_FINISH)
            if status != Z_STREAM_END {
                failure =
                    stream.avail_out == 0
                    ? "expands beyond the stated size \(expectedSize)" : "corrupt stream (\(status))"
            } else if stream.total_out != uLong(expectedSize) {
                failure = "expanded to \(stream.total_out) bytes, header says \(expectedSize)"
            } else if stream.avail_in != 0 {
                failure = "\(stream.avail_in) bytes after the stream"
            }
        }
        if let failure { throw ETFError(.decompressionFailed(failure), at: offset) }
        return output
    }
}
