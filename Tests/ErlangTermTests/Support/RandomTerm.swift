import ColonyTestSupport

@testable import ErlangTerm

/// A deterministic generator of random terms of every kind, for property tests: the same seed
/// always gives the same term, so a failure found by the property runner can be replayed.
struct RandomTerm {
    private var generator: SplitMix64

    init(seed: UInt64) {
        generator = SplitMix64(seed: seed)
    }

    mutating func next() -> UInt64 { generator.next() }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }

    mutating func atom() -> Atom {
        let names = ["ok", "error", "msg", "héllo", "日本", "'quoted'", "", "a_b@c", "EXIT", "nil", "true"]
        if int(0...3) == 0 { return Atom("gen_\(int(0...50))") }
        return Atom(names[int(0...names.count - 1)])
    }

    mutating func node() -> Atom {
        Atom(["a@127.0.0.1", "colony@host", "nonode@nohost"][int(0...2)])
    }

    mutating func term(depth: Int) -> Term {
        let leafKinds = 13
        let kind = depth <= 0 ? int(0...leafKinds - 1) : int(0...leafKinds + 5)
        switch kind {
        case 0: return .atom(atom())
        case 1: return .integer(int(-300...300))
        case 2: return .integer(Int(bitPattern: UInt(truncatingIfNeeded: next())))
        case 3:
            let magnitude = bytes(int(9...40))
            return .integer(BigInteger(isNegative: int(0...1) == 1, magnitude: magnitude))
        case 4:
            let f = Double(bitPattern: next())
            return .float(f.isFinite ? f : Double(int(-1000...1000)) / 7)
        case 5: return .binary(bytes(int(0...40)))
        case 6: return .bitstring(Bitstring(bytes: bytes(int(1...5)), bitsInLastByte: UInt8(int(1...7))))
        case 7:
            return .pid(
                PID(
                    node: node(), id: UInt32(truncatingIfNeeded: next()), serial: UInt32(int(0...9)),
                    creation: UInt32(truncatingIfNeeded: next())))
        case 8:
            return .reference(
                Reference(
                    node: node(), creation: UInt32(truncatingIfNeeded: next()),
                    ids: (0..<int(1...5)).map { _ in UInt32(truncatingIfNeeded: next()) }))
        case 9:
            return .port(
                ErlangPort(
                    node: node(), id: int(0...1) == 0 ? UInt64(int(0...9999)) : next(), creation: UInt32(int(1...5))))
        case 10: return .export(ExportFun(module: atom(), function: atom(), arity: UInt8(int(0...255))))
        case 11: return .list((0..<int(0...20)).map { _ in .integer(int(0...255)) })  // a byte string
        case 12: return .emptyList
        case 13: return .tuple((0..<int(0...6)).map { _ in term(depth: depth - 1) })
        case 14: return .list((0..<int(0...6)).map { _ in term(depth: depth - 1) })
        case 15:
            let elements = (0..<int(1...4)).map { _ in term(depth: depth - 1) }
            var tail = term(depth: 0)
            if case .list = tail { tail = .atom(atom()) }
            return .list(elements, tail: tail)
        case 16:
            var map = TermMap()
            for _ in 0..<int(0...40) { map[term(depth: depth - 1)] = term(depth: depth - 1) }
            return .map(map)
        case 17:
            return .fun(
                ErlangFun(
                    arity: UInt8(int(0...3)), uniq: bytes(16), index: UInt32(int(0...99)), module: atom(),
                    oldIndex: int(0...300), oldUniq: int(-99_999_999...99_999_999),
                    pid: PID(node: node(), id: 1, serial: 0, creation: 1),
                    freeVariables: (0..<int(0...3)).map { _ in term(depth: depth - 1) }))
        default: return .tuple([.atom(atom()), term(depth: depth - 1)])
        }
    }
}
