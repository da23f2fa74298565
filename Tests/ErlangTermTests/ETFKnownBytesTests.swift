import Testing

@testable import ErlangTerm

/// Exact encodings, written down from `erlang:term_to_binary(T, [{minor_version, 2}])` on OTP 25.
@Suite("ETF known encodings")
struct ETFKnownBytesTests {
    static let cases: [(Term, [UInt8])] = [
        (0, [131, 97, 0]),
        (255, [131, 97, 255]),
        (256, [131, 98, 0, 0, 1, 0]),
        (-1, [131, 98, 255, 255, 255, 255]),
        (.integer(Int(Int32.max) + 1), [131, 110, 4, 0, 0, 0, 0, 128]),
        (.integer(Int.min), [131, 110, 8, 1, 0, 0, 0, 0, 0, 0, 0, 128]),
        (.integer(BigInteger(UInt64.max)), [131, 110, 8, 0, 255, 255, 255, 255, 255, 255, 255, 255]),
        (.float(1.0), [131, 70, 63, 240, 0, 0, 0, 0, 0, 0]),
        (.float(-0.0), [131, 70, 128, 0, 0, 0, 0, 0, 0, 0]),
        ("ok", [131, 119, 2, 111, 107]),
        ("héllo", [131, 119, 6, 104, 195, 169, 108, 108, 111]),
        (.emptyList, [131, 106]),
        ([1, 2, 3], [131, 107, 0, 3, 1, 2, 3]),
        (["a", 300], [131, 108, 0, 0, 0, 2, 119, 1, 97, 98, 0, 0, 1, 44, 106]),
        (.list([1], tail: "b"), [131, 108, 0, 0, 0, 1, 97, 1, 119, 1, 98]),
        (.tuple([]), [131, 104, 0]),
        (.binary([1, 2]), [131, 109, 0, 0, 0, 2, 1, 2]),
        (.bitstring(Bitstring(bytes: [0b1010_0000], bitsInLastByte: 3)), [131, 77, 0, 0, 0, 1, 3, 160]),
        (.map(["a": 1]), [131, 116, 0, 0, 0, 1, 119, 1, 97, 97, 1]),
        (
            .export(ExportFun(module: "lists", function: "map", arity: 2)),
            [131, 113, 119, 5, 108, 105, 115, 116, 115, 119, 3, 109, 97, 112, 97, 2]
        ),
        (
            .pid(PID(node: "a@h", id: 83, serial: 0, creation: 7)),
            [131, 88, 119, 3, 97, 64, 104, 0, 0, 0, 83, 0, 0, 0, 0, 0, 0, 0, 7]
        ),
        (
            .reference(Reference(node: "a@h", creation: 7, ids: [1, 2, 3])),
            [131, 90, 0, 3, 119, 3, 97, 64, 104, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]
        ),
        (.port(ErlangPort(node: "a@h", id: 5, creation: 7)), [131, 89, 119, 3, 97, 64, 104, 0, 0, 0, 5, 0, 0, 0, 7]),
        (
            .port(ErlangPort(node: "a@h", id: 1 << 40, creation: 7)),
            [131, 120, 119, 3, 97, 64, 104, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 7]
        ),
    ]

    @Test("Colony writes OTP's canonical bytes", arguments: 0..<cases.count)
    func encodes(index: Int) throws {
        let (term, bytes) = Self.cases[index]
        #expect(try ETF.encode(term) == bytes)
    }

    @Test("Colony reads OTP's bytes", arguments: 0..<cases.count)
    func decodes(index: Int) throws {
        let (term, bytes) = Self.cases[index]
        #expect(try ETF.decode(bytes) == term)
    }

    @Test("legacy encodings that OTP still reads decode to the modern terms")
    func legacyTags() throws {
        // ATOM_EXT and SMALL_ATOM_EXT hold Latin-1: 'é' is byte 233.
        #expect(try ETF.decode([131, 100, 0, 2, 104, 233]) == .atom(Atom("hé")))
        #expect(try ETF.decode([131, 115, 2, 111, 107]) == "ok")
        // FLOAT_EXT: 31 bytes of "%.20e".
        var floatText = Array("1.50000000000000000000e+00".utf8)
        floatText += [UInt8](repeating: 0, count: 31 - floatText.count)
        #expect(try ETF.decode([131, 99] + floatText) == .float(1.5))
        // PID_EXT, REFERENCE_EXT, NEW_REFERENCE_EXT and PORT_EXT carry one-byte creations.
        #expect(
            try ETF.decode([131, 103, 119, 1, 110, 0, 0, 0, 9, 0, 0, 0, 1, 2])
                == .pid(PID(node: "n", id: 9, serial: 1, creation: 2)))
        #expect(
            try ETF.decode([131, 101, 119, 1, 110, 0, 0, 0, 9, 3])
                == .reference(Reference(node: "n", creation: 3, ids: [9])))
        #expect(
            try ETF.decode([131, 114, 0, 2, 119, 1, 110, 3, 0, 0, 0, 9, 0, 0, 0, 8])
                == .reference(Reference(node: "n", creation: 3, ids: [9, 8])))
        #expect(
            try ETF.decode([131, 102, 119, 1, 110, 0, 0, 0, 9, 3]) == .port(ErlangPort(node: "n", id: 9, creation: 3)))
        // LARGE_TUPLE_EXT and LARGE_BIG_EXT with small contents still decode.
        #expect(try ETF.decode([131, 105, 0, 0, 0, 1, 97, 1]) == .tuple([1]))
        #expect(try ETF.decode([131, 111, 0, 0, 0, 1, 1, 5]) == -5)
        // Any non-zero bignum sign byte means negative, as in OTP.
        #expect(try ETF.decode([131, 110, 1, 2, 5]) == -5)
        // An export arity written as INTEGER_EXT, and a reference with no words, as OTP reads them.
        #expect(
            try ETF.decode([131, 113, 119, 1, 109, 119, 1, 102, 98, 0, 0, 0, 2])
                == .export(ExportFun(module: "m", function: "f", arity: 2)))
        #expect(
            try ETF.decode([131, 90, 0, 0, 119, 3, 97, 64, 98, 0, 0, 0, 2])
                == .reference(Reference(node: "a@b", creation: 2, ids: [])))
        // FLOAT_EXT accepts a comma as the decimal point and ignores what follows the first NUL;
        // it refuses what OTP refuses ("3", ".5", leading spaces).
        func floatExt(_ text: String, junk: [UInt8] = []) -> [UInt8] {
            var bytes = Array(text.utf8) + [0] + junk
            bytes += [UInt8](repeating: 0, count: 31 - bytes.count)
            return [131, 99] + bytes
        }
        #expect(try ETF.decode(floatExt("3,14")) == .float(3.14))
        #expect(try ETF.decode(floatExt("-2.5e-3", junk: [65, 66])) == .float(-0.0025))
        for bad in ["3", ".5", "3.", "  3.14", "3.0  ", "inf", "1.0e"] {
            #expect(throws: ETFError.self, "\(bad)") { try ETF.decode(floatExt(bad)) }
        }
        // A SMALL_BIG_EXT that fits in an Int becomes an ordinary integer.
        #expect(try ETF.decode([131, 110, 2, 0, 1, 1]) == 257)
        // BIT_BINARY_EXT with 8 bits in the last byte is a plain binary.
        #expect(try ETF.decode([131, 77, 0, 0, 0, 1, 8, 9]) == .binary([9]))
    }

    @Test("a LIST_EXT whose tail is itself a list is flattened into one list")
    func nestedTailIsFlattened() throws {
        #expect(try ETF.decode([131, 108, 0, 0, 0, 1, 97, 1, 107, 0, 1, 2]) == [1, 2])
    }

    @Test("LOCAL_EXT at the top is kept as opaque bytes and written back unchanged")
    func localExt() throws {
        let bytes: [UInt8] = [131, 121, 1, 2, 3, 4]
        let term = try ETF.decode(bytes)
        #expect(term == .local([1, 2, 3, 4]))
        #expect(try ETF.encode(term) == bytes)
    }

    @Test("a local fun keeps every field and its size is recomputed on encoding")
    func funRoundTrip() throws {
        let fun = ErlangFun(
            arity: 1, uniq: [UInt8](repeating: 0xAA, count: 16), index: 3, module: "erl_eval", oldIndex: 3,
            oldUniq: 123_456_789, pid: PID(node: "a@h", id: 1, serial: 0, creation: 1), freeVariables: [1, "x"])
        let bytes = try ETF.encode(.fun(fun))
        #expect(bytes[1] == 112)
        let size = Int(bytes[2]) << 24 | Int(bytes[3]) << 16 | Int(bytes[4]) << 8 | Int(bytes[5])
        #expect(size == bytes.count - 2)
        #expect(try ETF.decode(bytes) == .fun(fun))
    }

    @Test("maps compare without regard to pair order; encoding keeps the stored order")
    func mapOrder() throws {
        let ab = TermMap([("a", 1), ("b", 2)])
        let ba = TermMap([("b", 2), ("a", 1)])
        #expect(ab == ba)
        #expect(ab.hashValue == ba.hashValue)
        #expect(try ETF.encode(.map(ab)) != ETF.encode(.map(ba)))
        #expect(try ETF.encode(.map(ba.sortedByKey())) == ETF.encode(.map(ab)))
    }

    @Test("the writer appends into an existing ByteBuffer and into a byte array")
    func writerTargets() throws {
        var bytes: [UInt8] = [9]
        try ETFWriter().write(.tuple(["ok", 1]), into: &bytes)
        #expect(bytes == [9, 104, 2, 119, 2, 111, 107, 97, 1])
    }

    @Test("atom cache references are written and read through the distribution hooks")
    func atomCacheHooks() throws {
        let writer = ETFWriter(atomCacheReferences: ["a", "b", "c", "d", "ok"])
        var bytes: [UInt8] = []
        try writer.write(.tuple(["ok", "no"]), into: &bytes)
        #expect(bytes == [104, 2, 82, 4, 119, 2, 110, 111])
        let refs: [Atom] = ["a", "b", "c", "d", "ok"]
        let term = try bytes.withUnsafeBytes { raw in
            var reader = ETFReader(bytes: raw, atomCacheReferences: refs)
            return try reader.readTerm()
        }
        #expect(term == .tuple(["ok", "no"]))
    }
}

/// Regressions found by the fuzzer and by review.
@Suite("ETF regressions")
struct ETFRegressionTests {
    @Test("a LOCAL_EXT term asked to be compressed is left uncompressed and round-trips")
    func localExtNotCompressed() throws {
        let term = Term.local([UInt8](repeating: 0, count: 16))
        let bytes = try ETF.encode(term, options: ETFEncodingOptions(compressionLevel: 6))
        #expect(bytes[1] == 121)
        #expect(try ETF.decode(bytes) == term)
    }

    @Test("a compressed LOCAL_EXT term from another encoder decodes")
    func compressedLocalExtDecodes() throws {
        let plain: [UInt8] = [121, 1, 2, 3, 4]
        let compressed = try plain.withUnsafeBytes { try Zlib.deflate($0, level: 6) }
        let bytes: [UInt8] = [131, 80, 0, 0, 0, UInt8(plain.count)] + compressed
        #expect(try ETF.decode(bytes) == .local([1, 2, 3, 4]))
    }

    @Test("a fun whose old index or old uniq needs more than 32 bits is refused, not overflowed")
    func funFieldRange() {
        let fun = ErlangFun(
            arity: 0, uniq: [UInt8](repeating: 7, count: 16), index: 0, module: "m", oldIndex: Int.max,
            oldUniq: Int.min, pid: PID(node: "a@b", id: 1, serial: 0, creation: 1), freeVariables: [])
        #expect(throws: ETFError.self) { try ETF.encode(.fun(fun)) }
        var bytes: [UInt8] = []
        #expect(throws: ETFError.self) { try ETFWriter().write(.fun(fun), into: &bytes) }
    }
}
