import PropertyBased
import Testing

@testable import ErlangTerm

@Suite("Term property tests")
struct TermPropertyTests {
    static let seeds = Gen.int(in: 0...Int.max)
    static let depths = Gen.int(in: 0...4)

    @Test("every random term survives encode then decode unchanged")
    func roundTrip() async {
        await propertyCheck(count: 2000, input: Self.seeds, Self.depths) { seed, depth in
            var random = RandomTerm(seed: UInt64(seed))
            let term = random.term(depth: depth)
            let bytes = try #require(try? ETF.encode(term))
            let decoded = try ETF.decode(bytes)
            #expect(decoded == term)
            // Canonical: the decoded term re-encodes to the very same bytes.
            #expect(try ETF.encode(decoded) == bytes)
        }
    }

    @Test("compressed encodings decode to the same term")
    func compressedRoundTrip() async {
        await propertyCheck(count: 300, input: Self.seeds, Self.depths) { seed, depth in
            var random = RandomTerm(seed: UInt64(seed))
            let term = Term.tuple([random.term(depth: depth), .binary([UInt8](repeating: 7, count: 300))])
            let bytes = try ETF.encode(term, options: ETFEncodingOptions(compressionLevel: 6))
            #expect(bytes[1] == 80, "a 300-byte run compresses, so the compressed form is chosen")
            #expect(try ETF.decode(bytes) == term)
        }
    }

    @Test("term order is a total order consistent with equality")
    func termOrder() async {
        await propertyCheck(count: 1000, input: Self.seeds, Self.seeds) { a, b in
            var ra = RandomTerm(seed: UInt64(a))
            var rb = RandomTerm(seed: UInt64(b))
            let x = ra.term(depth: 2)
            let y = rb.term(depth: 2)
            #expect(Term.compare(x, y) == -Term.compare(y, x))
            #expect(Term.compare(x, x) == 0)
            if x == y { #expect(Term.compare(x, y) == 0) }
        }
    }

    @Test("every strict prefix of a valid encoding is rejected with an error, never a crash")
    func truncationIsAnError() async {
        await propertyCheck(count: 200, input: Self.seeds, Gen.int(in: 0...2)) { seed, depth in
            var random = RandomTerm(seed: UInt64(seed))
            let bytes = try ETF.encode(random.term(depth: depth))
            // Every prefix of short encodings; about 100 evenly spread prefixes of long ones.
            for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 100)) {
                #expect(throws: ETFError.self) { try ETF.decode(Array(bytes[0..<length])) }
            }
        }
    }
}
