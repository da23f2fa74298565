import Testing

@testable import ErlangTerm

/// Untrusted bytes: every failure is a typed error at the right offset, never a crash, a hang or
/// an allocation the input does not pay for.
@Suite("ETF hostile input")
struct ETFHostileInputTests {
    func kind(of bytes: [UInt8], options: ETFDecodingOptions = .init()) -> ETFError.Kind? {
        do {
            _ = try ETF.decode(bytes, options: options)
            return nil
        } catch {
            return error.kind
        }
    }

    @Test("length fields larger than the input are errors, not allocations")
    func hugeLengths() {
        #expect(kind(of: [131, 109, 255, 255, 255, 255]) == .truncated(needed: 4_294_967_295))
        #expect(
            kind(of: [131, 105, 255, 255, 255, 255, 97]) == .lengthExceedsInput(length: 4_294_967_295, remaining: 1))
        #expect(
            kind(of: [131, 116, 127, 255, 255, 255, 97, 1]) == .lengthExceedsInput(length: 2_147_483_647, remaining: 2))
        #expect(kind(of: [131, 108, 0, 255, 255, 255, 106]) == .lengthExceedsInput(length: 16_777_215, remaining: 1))
        #expect(kind(of: [131, 111, 255, 255, 255, 255, 0]) == .integerTooLarge(bytes: 4_294_967_295))
        #expect(kind(of: [131, 107, 255, 255, 1]) == .truncated(needed: 65_534))
    }

    @Test("nesting deeper than the limit is refused")
    func depthLimit() {
        var options = ETFDecodingOptions()
        options.maximumDepth = 100
        let deep: [UInt8] = [131] + Array(repeating: [104, 1], count: 101).flatMap { $0 } + [106]
        #expect(kind(of: deep, options: options) == .tooDeep(limit: 100))
        let fine: [UInt8] = [131] + Array(repeating: [104, 1], count: 99).flatMap { $0 } + [106]
        #expect(kind(of: fine, options: options) == nil)
        // Nested lists count too: [[[...]]] as LIST_EXT of one element each.
        let lists: [UInt8] =
            [131] + Array(repeating: [108, 0, 0, 0, 1], count: 200).flatMap { $0 } + [UInt8](repeating: 106, count: 201)
        #expect(kind(of: lists, options: options) == .tooDeep(limit: 100))
    }

    @Test("the default depth limit holds against a megabyte of nesting without exhausting the stack")
    func defaultDepthLimit() {
        let deep: [UInt8] = [131] + Array(repeating: [104, 1], count: 500_000).flatMap { $0 } + [106]
        #expect(kind(of: deep) == .tooDeep(limit: ETFDecodingOptions().maximumDepth))
    }

    @Test("bad atoms: invalid UTF-8, too many characters, unknown atoms in safe mode")
    func atoms() {
        #expect(kind(of: [131, 119, 2, 0xC3, 0x28]) == .invalidAtom)
        let long = [UInt8](repeating: 97, count: 256)
        #expect(kind(of: [131, 118, 1, 0] + long) == .invalidAtom)
        #expect(kind(of: [131, 100, 1, 0] + long) == .invalidAtom)
        _ = Atom("ok")
        var safe = ETFDecodingOptions()
        safe.createsAtoms = false
        #expect(kind(of: [131, 119, 2, 111, 107], options: safe) == nil)
        #expect(kind(of: [131, 119, 9] + Array("zz_unseen".utf8), options: safe) == .unknownAtom("zz_unseen"))
    }

    @Test("floats must be finite")
    func floats() {
        let nan = Double.nan.bitPattern.bigEndian
        let bytes = withUnsafeBytes(of: nan) { Array($0) }
        #expect(kind(of: [131, 70] + bytes) == .invalidFloat)
        let inf = withUnsafeBytes(of: Double.infinity.bitPattern.bigEndian) { Array($0) }
        #expect(kind(of: [131, 70] + inf) == .invalidFloat)
        var text = Array("inf".utf8)
        text += [UInt8](repeating: 0, count: 31 - text.count)
        #expect(kind(of: [131, 99] + text) == .invalidFloat)
        #expect(throws: ETFError.self) { try ETF.encode(.float(.nan)) }
    }

    @Test("structural errors: duplicate keys, bad fields, bad version, unknown tags, trailing bytes")
    func structure() {
        #expect(kind(of: [131, 116, 0, 0, 0, 2, 97, 1, 97, 2, 97, 1, 97, 3]) == .duplicateMapKey)
        #expect(kind(of: [131, 77, 0, 0, 0, 1, 9, 0]) == .invalidField("bit count 9"))
        #expect(kind(of: [131, 77, 0, 0, 0, 0, 8]) == .invalidField("bit count 8 of an empty bitstring"))
        #expect(kind(of: [131, 90, 0, 6, 119, 1, 110, 0, 0, 0, 1]) == .invalidField("reference with 6 words"))
        #expect(kind(of: [130, 97, 1]) == .badVersion(130))
        #expect(kind(of: [131, 200]) == .unknownTag(200))
        #expect(kind(of: [131, 97, 1, 0]) == .trailingBytes(1))
        #expect(kind(of: [131, 104, 1, 121, 0]) == .misplacedLocalExt)
        #expect(kind(of: [131, 82, 0]) == .invalidAtomCacheReference(0))
        #expect(kind(of: []) == .truncated(needed: 1))
    }

    @Test("errors report the offset of the offending bytes")
    func offsets() throws {
        let error = try #require(throws: ETFError.self) { try ETF.decode([131, 104, 2, 97, 1, 200]) }
        #expect(error.offset == 5)
        #expect(error.kind == .unknownTag(200))
    }

    @Test("compressed terms: corrupt streams, lies about the size and zip bombs are refused")
    func compressed() throws {
        let good = try ETF.encode(
            .binary([UInt8](repeating: 1, count: 4000)), options: ETFEncodingOptions(compressionLevel: 9))
        #expect(good[1] == 80)
        #expect(try ETF.decode(good) == .binary([UInt8](repeating: 1, count: 4000)))
        // Stated size one less than the real one: the stream expands beyond it.
        var short = good
        short[5] &-= 1
        #expect(throws: ETFError.self) { try ETF.decode(short) }
        // Stated size larger than the real one.
        var long = good
        long[5] &+= 1
        #expect(throws: ETFError.self) { try ETF.decode(long) }
        // A corrupt stream.
        var corrupt = good
        corrupt[good.count - 3] ^= 0xFF
        #expect(throws: ETFError.self) { try ETF.decode(corrupt) }
        // 4 GiB promised by a 20-byte message: refused before any allocation.
        #expect(
            kind(of: [131, 80, 255, 255, 255, 255, 120, 156, 1, 2, 3])
                == .decompressedTooLarge(size: 4_294_967_295, limit: 64 << 20))
        var options = ETFDecodingOptions()
        options.maximumDecompressedSize = 1000
        #expect(kind(of: good, options: options) == .decompressedTooLarge(size: 4005, limit: 1000))
    }

    @Test("a flood of new atoms stops at the table's input cap; known atoms still decode")
    func atomCap() throws {
        // A table of its own, so that the cap does not touch tests running in parallel.
        let table = AtomTable(inputLimit: 10)
        _ = table.intern(utf8: UnsafeRawBufferPointer(start: nil, count: 0), fromInput: false)
        func decodeRaw(_ raw: UnsafeRawBufferPointer) -> ETFError.Kind? {
            var reader = ETFReader(bytes: raw)
            reader.atomTable = table
            do {
                _ = try reader.readTerm()
                return nil
            } catch {
                return error.kind
            }
        }
        func decode(_ bytes: [UInt8]) -> ETFError.Kind? {
            bytes.withUnsafeBytes { decodeRaw($0) }
        }
        var failures = 0
        for i in 0..<20 {
            let name = Array("flood_\(i)".utf8)
            if case .atomLimitExceeded = decode([119, UInt8(name.count)] + name) { failures += 1 }
        }
        #expect(failures == 10)
        #expect(table.createdFromInput == 10)
        // Atoms that exist already are accepted at the cap: flood_0 was created before it.
        #expect(decode([119, 7] + Array("flood_0".utf8)) == nil)
        #expect(decode([119, 0]) == nil)
    }
}
