import Testing

@testable import ErlangTerm

@Suite("Atoms")
struct AtomTests {
    @Test("atoms with the same text are the same entry")
    func interning() {
        let a = Atom("interned_atom")
        let b: Atom = "interned_atom"
        #expect(a == b)
        #expect(a.entry.toOpaque() == b.entry.toOpaque())
        #expect(a != Atom("other_atom"))
    }

    @Test("atoms order by their text, code point by code point")
    func ordering() {
        #expect(Atom("a") < Atom("b"))
        #expect(Atom("ab") > Atom("a"))
        #expect(Atom("z") < Atom("é"))
    }

    @Test("atoms print as Erlang source writes them")
    func printing() {
        #expect(Atom("ok").description == "ok")
        #expect(Atom("node@host").description == "node@host")
        #expect(Atom("EXIT").description == "'EXIT'")
        #expect(Atom("it's").description == "'it\\'s'")
        #expect(Atom("").description == "''")
    }

    @Test("terms print in Erlang syntax")
    func termPrinting() {
        let term: Term = .tuple(["ok", 1, 2.5, .string("hi"), [1, 2], .list([1], tail: "x"), .map(["k": .emptyList])])
        #expect(term.description == "{ok,1,2.5,<<\"hi\">>,[1,2],[1|x],#{k => []}}")
        #expect(
            Term.integer(BigInteger(isNegative: true, magnitude: [0, 0, 0, 0, 0, 0, 0, 0, 1])).description
                == "-18446744073709551616")
    }

    @Test("bignums convert to and from Swift integers exactly")
    func bignums() {
        #expect(BigInteger(Int.min).intValue == Int.min)
        #expect(BigInteger(UInt64.max).intValue == nil)
        #expect(BigInteger(UInt64.max).exactly(UInt64.self) == UInt64.max)
        #expect(BigInteger(Int128.min).exactly(Int128.self) == Int128.min)
        #expect(BigInteger(-5) < BigInteger(3))
        #expect(BigInteger(-5) < BigInteger(-3))
        #expect(BigInteger(isNegative: true, magnitude: [0, 0]) == BigInteger(0))
    }
}
