import Colony
import ErlangTerm

/// The terms the message tests send both ways. ``deterministic`` must stay equal, case by case, to
/// `det_corpus/0` in ``InteropErlangSource``: each side builds it on its own and compares what
/// arrives with its own copy.
enum InteropCorpus {
    /// `2^exponent`, negated when `negative`, as a bignum.
    static func powerOfTwo(_ exponent: Int, negative: Bool = false) -> Term {
        var magnitude = [UInt8](repeating: 0, count: exponent / 8 + 1)
        magnitude[exponent / 8] = 1 << UInt8(exponent % 8)
        return .integer(BigInteger(isNegative: negative, magnitude: magnitude))
    }

    static let deterministic: [(name: String, term: Term)] = [
        ("atom_plain", "hello"),
        ("atom_quoted", "with space"),
        ("atom_empty", .atom(Atom(""))),
        ("atom_latin1", .atom(Atom("\u{E9}t\u{E9}"))),
        ("atom_unicode", .atom(Atom("\u{65E5}\u{672C}\u{8A9E}_\u{1F600}"))),
        ("atom_long_unicode", .atom(Atom(String(repeating: "\u{E9}", count: 255)))),
        ("int_zero", 0),
        ("int_byte", 255),
        ("int_byte_edge", 256),
        ("int_negative", -1),
        ("int32_max", 2_147_483_647),
        ("int32_min", -2_147_483_648),
        ("int32_over", 2_147_483_648),
        ("int64_max", .integer(Int.max)),
        ("int64_min", .integer(Int.min)),
        ("bignum_2_64", powerOfTwo(64)),
        ("bignum_negative", powerOfTwo(100, negative: true)),
        ("bignum_huge", powerOfTwo(2100)),
        ("float_pi", 3.141592653589793),
        ("float_negative", -2.5),
        ("float_big", 1.0e300),
        ("float_denormal", .float(Double.leastNonzeroMagnitude)),
        ("binary_empty", .binary([])),
        ("binary_bytes", .binary([0, 1, 2, 255])),
        ("binary_utf8", .string("h\u{E9}llo")),
        ("binary_large", .binary(Array(repeating: Array("0123456789abcdef".utf8), count: 8192).flatMap { $0 })),
        ("binary_fragmented", .binary(Array(repeating: Array("colony!".utf8), count: 300_000).flatMap { $0 })),
        ("bits_3", .bitstring(Bitstring(bytes: [0xA0], bitsInLastByte: 3))),
        ("bits_20", .bitstring(Bitstring(bytes: [1, 2, 0x70], bitsInLastByte: 4))),
        ("list_empty", .list([])),
        ("list_bytes", .charlist("abc")),
        ("list_codepoints", .list([.integer(0x65E5), .integer(0x672C)])),
        ("list_mixed", .list([1, "two", .string("three"), 4.0, .tuple(["five"])])),
        ("list_improper", .improperList([1, 2], tail: 3)),
        ("list_improper_atom", .improperList(["a"], tail: "b")),
        ("list_nested", .list([.list([]), .list([.list([])]), .list([.list([.list(["x"])])])])),
        ("tuple_empty", .tuple([])),
        ("tuple_nested", .tuple(["ok", 1, .tuple(["nested", .list(["x", "y"])]), .map(TermMap())])),
        ("tuple_large", .tuple((1...300).map { .integer($0) })),
        ("map_empty", .map(TermMap())),
        ("map_atom_keys", .map(TermMap([("a", 1), ("b", 2)]))),
        (
            "map_mixed_keys",
            .map(
                TermMap([
                    (1, "one"), (.string("k"), .list(["v"])), (.tuple(["t", 1]), .map(TermMap([(.list([]), 2.5)]))),
                    (2.0, "float_key"), (.list(["a", "b"]), "list_key"), (powerOfTwo(64), "big"),
                ]))
        ),
        ("map_large", .map(TermMap((1...40).map { (.integer($0), .integer($0 * $0)) }))),
        ("fun_export", .export(ExportFun(module: "lists", function: "reverse", arity: 1))),
    ]

    /// Terms only Colony can make: its own pid, reference and ports, as `colony_expected/2` in the
    /// Erlang module rebuilds them. The port with a 64-bit id (`V4_PORT_EXT`) goes last.
    static func colonySpecific(pid: PID, node: Node) -> [(name: String, term: Term)] {
        let reference = Reference(node: node.name, creation: node.creation, ids: [11, 22, 33])
        return [
            ("colony_pid", .pid(pid)),
            ("colony_ref", .reference(reference)),
            ("colony_port", .port(ErlangPort(node: node.name, id: 77, creation: node.creation))),
            ("colony_nested", .tuple([.pid(pid), .list([.map(TermMap([("ref", .reference(reference))]))])])),
            ("colony_port_v4", .port(ErlangPort(node: node.name, id: (1 << 40) + 5, creation: node.creation))),
        ]
    }

    /// How many cases ``colonySpecific(pid:node:)`` makes.
    static let colonySpecificCount = 5

    /// The names of the cases only Erlang makes (`erl_corpus/0`), with what Colony can check about
    /// each: they come from the Erlang node and have the right shape.
    static func checkErlangSpecific(_ name: String, _ term: Term, erlang: Atom) -> Bool? {
        switch name {
        case "erl_pid":
            return term.pidValue?.node == erlang
        case "erl_ref":
            return term.referenceValue?.node == erlang
        case "erl_port":
            if case .port(let port) = term { return port.node == erlang }
            return false
        case "erl_fun_closure":
            if case .fun(let fun) = term { return fun.module == "colony_interop" && fun.freeVariables == [5] }
            return false
        case "erl_fun_closure_pid":
            if case .fun(let fun) = term { return fun.freeVariables.first?.pidValue?.node == erlang }
            return false
        case "erl_nested":
            guard case .tuple(let t) = term, t.count == 3 else { return false }
            return t[0].pidValue?.node == erlang
                && t[2] == .export(ExportFun(module: "lists", function: "sort", arity: 1))
        default:
            return nil
        }
    }

    static let erlangSpecificNames = [
        "erl_pid", "erl_ref", "erl_port", "erl_fun_closure", "erl_fun_closure_pid", "erl_nested",
    ]
}
