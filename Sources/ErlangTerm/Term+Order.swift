extension Term {
    /// The class of a term in Erlang's term order:
    /// number < atom < reference < fun < port < pid < tuple < map < [] < list < bitstring.
    private var orderClass: Int {
        switch self {
        case .integer, .bigInteger, .float: return 0
        case .atom: return 1
        case .reference: return 2
        case .export, .fun: return 3
        case .port: return 4
        case .pid: return 5
        case .tuple: return 6
        case .map: return 7
        case .list(let l) where l.isEmpty: return 8
        case .list, .improperList: return 9
        case .binary, .bitstring: return 10
        case .local: return 11
        }
    }

    /// Erlang's exact term order: negative when `lhs` sorts first, zero when equal, positive
    /// otherwise. Numbers compare by value; an integer sorts before an equal float, which is the
    /// order OTP gives map keys.
    public static func compare(_ lhs: Term, _ rhs: Term) -> Int {
        let (lc, rc) = (lhs.orderClass, rhs.orderClass)
        if lc != rc { return lc < rc ? -1 : 1 }
        if lc == 8 { return 0 }  // both are []
        switch (lhs, rhs) {
        case (.atom(let a), .atom(let b)):
            return a == b ? 0 : sign(a < b)
        case (.tuple(let a), .tuple(let b)):
            if a.count != b.count { return sign(a.count < b.count) }
            return compareSequences(a[...], b[...])
        case (.map(let a), .map(let b)):
            if a.count != b.count { return sign(a.count < b.count) }
            let sa = a.sortedByKey().pairs
            let sb = b.sortedByKey().pairs
            let keys = compareSequences(sa.map(\.key)[...], sb.map(\.key)[...])
            if keys != 0 { return keys }
            return compareSequences(sa.map(\.value)[...], sb.map(\.value)[...])
        case (.binary(let a), .binary(let b)):
            return compareBytes(a, a.count * 8, b, b.count * 8)
        case (.binary(let a), .bitstring(let b)):
            return compareBytes(a, a.count * 8, b.bytes, b.bitCount)
        case (.bitstring(let a), .binary(let b)):
            return compareBytes(a.bytes, a.bitCount, b, b.count * 8)
        case (.bitstring(let a), .bitstring(let b)):
            return compareBytes(a.bytes, a.bitCount, b.bytes, b.bitCount)
        case (.pid(let a), .pid(let b)):
            return compareFields(
                [a.node.name < b.node.name, a.serial < b.serial, a.id < b.id, a.creation < b.creation],
                [b.node.name < a.node.name, b.serial < a.serial, b.id < a.id, b.creation < a.creation])
        case (.port(let a), .port(let b)):
            return compareFields(
                [a.node.name < b.node.name, a.id < b.id, a.creation < b.creation],
                [b.node.name < a.node.name, b.id < a.id, b.creation < a.creation])
        case (.reference(let a), .reference(let b)):
            if a.node != b.node { return sign(a.node < b.node) }
            if a.ids != b.ids {
                return sign(a.ids.reversed().lexicographicallyPrecedes(b.ids.reversed()))
            }
            return a.creation == b.creation ? 0 : sign(a.creation < b.creation)
        case (.local(let a), .local(let b)):
            return compareBytes(a, a.count * 8, b, b.count * 8)
        default:
            break
        }
        if lc == 0 { return compareNumbers(lhs, rhs) }
        if lc == 3 { return compareFuns(lhs, rhs) }
        return compareLists(lhs, rhs)
    }

    private static func sign(_ less: Bool) -> Int { less ? -1 : 1 }

    private static func compareFields(_ less: [Bool], _ greater: [Bool]) -> Int {
        for (l, g) in zip(less, greater) where l || g { return l ? -1 : 1 }
        return 0
    }

    private static func compareSequences(_ a: ArraySlice<Term>, _ b: ArraySlice<Term>) -> Int {
        for (x, y) in zip(a, b) {
            let c = compare(x, y)
            if c != 0 { return c }
        }
        return a.count == b.count ? 0 : sign(a.count < b.count)
    }

    private static func compareBytes(_ a: [UInt8], _ aBits: Int, _ b: [UInt8], _ bBits: Int) -> Int {
        for (x, y) in zip(a, b) where x != y { return sign(x < y) }
        return aBits == bBits ? 0 : sign(aBits < bBits)
    }

    private static func compareLists(_ lhs: Term, _ rhs: Term) -> Int {
        func split(_ t: Term) -> ([Term], Term) {
            switch t {
            case .list(let l): return (l, .emptyList)
            case .improperList(let l, let tail): return (l, tail)
            default: return ([], t)
            }
        }
        let (la, ta) = split(lhs)
        let (lb, tb) = split(rhs)
        for (x, y) in zip(la, lb) {
            let c = compare(x, y)
            if c != 0 { return c }
        }
        if la.count == lb.count { return compare(ta, tb) }
        // One list ran out of elements: compare its tail with the rest of the other list.
        if la.count < lb.count { return compare(ta, .list(Array(lb[la.count...]), tail: tb)) }
        return compare(.list(Array(la[lb.count...]), tail: ta), tb)
    }

    private static func compareFuns(_ lhs: Term, _ rhs: Term) -> Int {
        switch (lhs, rhs) {
        case (.fun, .export): return -1
        case (.export, .fun): return 1
        case (.export(let a), .export(let b)):
            if a.module != b.module { return sign(a.module < b.module) }
            if a.function != b.function { return sign(a.function < b.function) }
            return a.arity == b.arity ? 0 : sign(a.arity < b.arity)
        case (.fun(let a), .fun(let b)):
            if a.module != b.module { return sign(a.module < b.module) }
            if a.index != b.index { return sign(a.index < b.index) }
            if a.uniq != b.uniq { return sign(a.uniq.lexicographicallyPrecedes(b.uniq)) }
            return compareSequences(a.freeVariables[...], b.freeVariables[...])
        default: return 0
        }
    }

    private static func compareNumbers(_ lhs: Term, _ rhs: Term) -> Int {
        switch (lhs, rhs) {
        case (.integer(let a), .integer(let b)): return a == b ? 0 : sign(a < b)
        case (.float(let a), .float(let b)):
            if a == b { return a.sign == b.sign ? 0 : sign(a.sign == .minus) }
            return sign(a < b)
        case (.bigInteger(let a), .bigInteger(let b)): return a == b ? 0 : sign(a < b)
        case (.bigInteger(let a), .integer): return a.isNegative ? -1 : 1
        case (.integer, .bigInteger(let b)): return b.isNegative ? 1 : -1
        default:
            let a = numericValue(lhs)
            let b = numericValue(rhs)
            if a != b { return sign(a < b) }
            // Numerically equal integer and float: the integer sorts first.
            if case .float = lhs { return 1 }
            return -1
        }
    }

    private static func numericValue(_ t: Term) -> Double {
        switch t {
        case .integer(let i): return Double(i)
        case .float(let f): return f
        case .bigInteger(let b):
            let m = b.magnitude.reversed().reduce(0.0) { $0 * 256 + Double($1) }
            return b.isNegative ? -m : m
        default: return 0
        }
    }
}
