/// Decodes External Term Format bytes into ``Term`` values.
///
/// The reader walks a borrowed byte buffer and checks every length against what remains before it
/// reads or allocates, so hostile input yields an ``ETFError`` and never a crash, a hang or an
/// allocation larger than the input. It reads terms *without* the leading version byte; the
/// ``ETF`` functions handle the version byte and compression, and the distribution layer uses the
/// reader directly for the terms that follow a distribution header (with its atom cache
/// references).
public struct ETFReader: ~Copyable {
    let bytes: UnsafeRawBufferPointer
    /// The offset of the next byte to read.
    public internal(set) var offset: Int
    let options: ETFDecodingOptions
    let atomCacheReferences: [Atom]?
    var depth = 0
    /// Where atoms are interned; only tests use another table than the shared one.
    var atomTable = AtomTable.shared

    /// A reader over `bytes`, starting at `offset`.
    ///
    /// - Parameters:
    ///   - atomCacheReferences: the atoms named by the distribution header that precedes these
    ///     terms, indexed by `ATOM_CACHE_REF`; `nil` when there is no header.
    public init(
        bytes: UnsafeRawBufferPointer, offset: Int = 0, options: ETFDecodingOptions = .init(),
        atomCacheReferences: [Atom]? = nil
    ) {
        self.bytes = bytes
        self.offset = offset
        self.options = options
        self.atomCacheReferences = atomCacheReferences
    }

    /// The number of bytes not read yet.
    public var remaining: Int { bytes.count - offset }

    /// Reads one term (tag and data; no version byte).
    public mutating func readTerm() throws(ETFError) -> Term {
        let tag = try readUInt8()
        return try readTerm(tag: tag)
    }

    /// Reads the version byte 131, as it stands before each term when no distribution header is
    /// used.
    public mutating func expectVersion() throws(ETFError) {
        let start = offset
        let version = try readUInt8()
        guard version == ETFTag.version else { throw ETFError(.badVersion(version), at: start) }
    }

    /// Validates UTF-8 atom text from the network (a distribution header's atom cache entries) and
    /// interns it, under the same rules and input cap as atoms inside terms.
    public static func internAtom(
        _ utf8: UnsafeRawBufferPointer, options: ETFDecodingOptions = .init(), at offset: Int = 0
    ) throws(ETFError) -> Atom {
        try intern(utf8, latin1: false, options: options, table: .shared, at: offset)
    }

    // MARK: - Primitive reads

    mutating func need(_ n: Int) throws(ETFError) {
        if n > remaining { throw ETFError(.truncated(needed: n - remaining), at: offset) }
    }

    mutating func readUInt8() throws(ETFError) -> UInt8 {
        try need(1)
        defer { offset &+= 1 }
        return bytes[offset]
    }

    mutating func readUInt16() throws(ETFError) -> UInt16 {
        try need(2)
        defer { offset &+= 2 }
        return UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    mutating func readUInt32() throws(ETFError) -> UInt32 {
        try need(4)
        defer { offset &+= 4 }
        return UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    mutating func readUInt64() throws(ETFError) -> UInt64 {
        try need(8)
        defer { offset &+= 8 }
        return UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Reads `count` raw bytes.
    mutating func readBytes(_ count: Int) throws(ETFError) -> [UInt8] {
        try need(count)
        defer { offset &+= count }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count]))
    }

    /// Checks that `count` items of at least `minimumSize` bytes each can still follow.
    @inline(__always)
    mutating func checkCount(_ count: Int, minimumSize: Int) throws(ETFError) {
        if count > remaining / minimumSize {
            throw ETFError(.lengthExceedsInput(length: count, remaining: remaining), at: offset)
        }
    }

    @inline(__always)
    mutating func enter() throws(ETFError) {
        depth += 1
        if depth > options.maximumDepth { throw ETFError(.tooDeep(limit: options.maximumDepth), at: offset) }
    }

    // MARK: - Terms

    mutating func readTerm(tag: UInt8) throws(ETFError) -> Term {
        switch tag {
        case ETFTag.smallInteger:
            return .integer(Int(try readUInt8()))
        case ETFTag.integer:
            return .integer(Int(Int32(bitPattern: try readUInt32())))
        case ETFTag.smallAtomUTF8, ETFTag.atomUTF8, ETFTag.atom, ETFTag.smallAtom, ETFTag.atomCacheReference:
            return .atom(try readAtom(tag: tag))
        case ETFTag.smallTuple:
            return .tuple(try readElements(Int(try readUInt8())))
        case ETFTag.largeTuple:
            return .tuple(try readElements(Int(try readUInt32())))
        case ETFTag.nil:
            return .emptyList
        case ETFTag.string:
            let count = Int(try readUInt16())
            try need(count)
            var list: [Term] = []
            list.reserveCapacity(count)
            for i in 0..<count { list.append(.integer(Int(bytes[offset + i]))) }
            offset += count
            return .list(list)
        case ETFTag.list:
            return try readList()
        case ETFTag.binary:
            let count = Int(try readUInt32())
            try need(count)
            return .binary(try readBytes(count))
        case ETFTag.map:
            return try readMap()
        case ETFTag.newFloat:
            let value = Double(bitPattern: try readUInt64())
            guard value.isFinite else { throw ETFError(.invalidFloat, at: offset - 8) }
            return .float(value)
        case ETFTag.float:
            return .float(try readFloatString())
        case ETFTag.smallBig:
            return try readBigInteger(count: Int(try readUInt8()))
        case ETFTag.largeBig:
            return try readBigInteger(count: Int(try readUInt32()))
        case ETFTag.newPid, ETFTag.pid:
            return .pid(try readPID(tag: tag))
        case ETFTag.newerReference, ETFTag.newReference, ETFTag.reference:
            return .reference(try readReference(tag: tag))
        case ETFTag.newPort, ETFTag.port, ETFTag.v4Port:
            return .port(try readPort(tag: tag))
        case ETFTag.bitBinary:
            return try readBitBinary()
        case ETFTag.export:
            return .export(try readExport())
        case ETFTag.newFun:
            return .fun(try readFun())
        case ETFTag.local:
            throw ETFError(.misplacedLocalExt, at: offset - 1)
        default:
            throw ETFError(.unknownTag(tag), at: offset - 1)
        }
    }

    mutating func readElements(_ count: Int) throws(ETFError) -> [Term] {
        try checkCount(count, minimumSize: 1)
        try enter()
        var elements: [Term] = []
        elements.reserveCapacity(count)
        for _ in 0..<count { elements.append(try readTerm()) }
        depth -= 1
        return elements
    }

    mutating func readList() throws(ETFError) -> Term {
        let count = Int(try readUInt32())
        // Each element takes at least one byte, and so does the tail.
        try checkCount(count, minimumSize: 1)
        let elements = try readElements(count)
        try enter()
        let tail = try readTerm()
        depth -= 1
        if case .list(let rest) = tail, rest.isEmpty { return .list(elements) }
        return .list(elements, tail: tail)
    }

    mutating func readMap() throws(ETFError) -> Term {
        let start = offset - 1
        let count = Int(try readUInt32())
        try checkCount(count, minimumSize: 2)
        try enter()
        var pairs: [(key: Term, value: Term)] = []
        pairs.reserveCapacity(count)
        for _ in 0..<count {
            let key = try readTerm()
            let value = try readTerm()
            pairs.append((key, value))
        }
        depth -= 1
        guard let map = TermMap(checkingUniquePairs: pairs) else { throw ETFError(.duplicateMapKey, at: start) }
        return .map(map)
    }

    /// `FLOAT_EXT`: 31 bytes of `"%.20e"` text. OTP accepts exactly
    /// `[+-]? digits [.,] digits ([eE] [+-]? digits)?` before the first NUL and ignores the rest.
    mutating func readFloatString() throws(ETFError) -> Double {
        let start = offset
        let raw = try readBytes(31)
        let text = raw.prefix { $0 != 0 }
        var i = text.startIndex
        func digits() -> Int {
            let from = i
            while i < text.endIndex, (48...57).contains(text[i]) { i += 1 }
            return i - from
        }
        if i < text.endIndex, text[i] == UInt8(ascii: "+") || text[i] == UInt8(ascii: "-") { i += 1 }
        var valid = digits() > 0
        if valid, i < text.endIndex, text[i] == UInt8(ascii: ".") || text[i] == UInt8(ascii: ",") {
            i += 1
            valid = digits() > 0
        } else {
            valid = false
        }
        if valid, i < text.endIndex, text[i] == UInt8(ascii: "e") || text[i] == UInt8(ascii: "E") {
            i += 1
            if i < text.endIndex, text[i] == UInt8(ascii: "+") || text[i] == UInt8(ascii: "-") { i += 1 }
            valid = digits() > 0
        }
        let normalized = String(decoding: text.map { $0 == UInt8(ascii: ",") ? UInt8(ascii: ".") : $0 }, as: UTF8.self)
        guard valid, i == text.endIndex, let value = Double(normalized), value.isFinite else {
            throw ETFError(.invalidFloat, at: start)
        }
        return value
    }

    mutating func readBigInteger(count: Int) throws(ETFError) -> Term {
        let start = offset
        guard count <= options.maximumIntegerBytes else { throw ETFError(.integerTooLarge(bytes: count), at: start) }
        // Like OTP, any non-zero sign byte means negative.
        let sign: UInt8 = try readUInt8() == 0 ? 0 : 1
        try need(count)
        if count <= 8 {
            var magnitude: UInt64 = 0
            for i in stride(from: count - 1, through: 0, by: -1) {
                magnitude = magnitude << 8 | UInt64(bytes[offset + i])
            }
            offset += count
            if sign == 0, magnitude <= UInt64(Int.max) { return .integer(Int(magnitude)) }
            if sign == 1, magnitude <= UInt64(Int.max) + 1 { return .integer(Int(truncatingIfNeeded: 0 &- magnitude)) }
            return .bigInteger(
                BigInteger(
                    isNegative: sign == 1, magnitude: Array(withUnsafeBytes(of: magnitude.littleEndian) { Array($0) })))
        }
        return .integer(BigInteger(isNegative: sign == 1, magnitude: try readBytes(count)))
    }

    mutating func readBitBinary() throws(ETFError) -> Term {
        let start = offset - 1
        let count = Int(try readUInt32())
        let bits = try readUInt8()
        try need(count)
        if count == 0 {
            guard bits == 0 else {
                throw ETFError(.invalidField("bit count \(bits) of an empty bitstring"), at: start)
            }
            return .binary([])
        }
        guard (1...8).contains(bits) else { throw ETFError(.invalidField("bit count \(bits)"), at: start) }
        let data = try readBytes(count)
        if bits == 8 { return .binary(data) }
        return .bitstring(Bitstring(bytes: data, bitsInLastByte: bits))
    }
}
