/// An Erlang term: any value that can travel between Erlang, Elixir and Colony nodes.
///
/// `Term` covers every kind of term that OTP 25 and 26 put on the wire. Integers that fit in
/// `Int` are ``integer(_:)``; larger ones are ``bigInteger(_:)`` (the decoder and the
/// initialisers keep that split canonical). `[]` is `.list([])`. A byte list such as Erlang's
/// `"abc"` is a list of small integers, as on the BEAM.
///
/// Equality is Erlang's exact equality (`=:=`): `1` and `1.0` differ, and maps compare
/// without regard to the order of their pairs. ``Term/compare(_:_:)`` gives Erlang's term order.
public enum Term: Sendable, Hashable {
    /// An atom, such as `ok` or `'EXIT'`.
    case atom(Atom)
    /// An integer that fits in 64 bits.
    case integer(Int)
    /// An integer outside the 64-bit range; never holds a value that fits in `Int`.
    indirect case bigInteger(BigInteger)
    /// A finite IEEE-754 double. Erlang has no NaN or infinity.
    case float(Double)
    /// A binary: a whole number of bytes (Elixir strings are binaries).
    case binary([UInt8])
    /// A bitstring whose length in bits is not a multiple of 8.
    indirect case bitstring(Bitstring)
    /// A proper list; `.list([])` is the empty list `[]`.
    case list([Term])
    /// An improper list `[a, b | tail]`: `elements` is never empty and `tail` is never a list.
    indirect case improperList([Term], tail: Term)
    /// A tuple.
    case tuple([Term])
    /// A map.
    case map(TermMap)
    /// A process identifier.
    indirect case pid(PID)
    /// A port identifier.
    indirect case port(ErlangPort)
    /// A reference.
    indirect case reference(Reference)
    /// An external fun, `fun Module:Function/Arity`.
    indirect case export(ExportFun)
    /// A local (closure) fun, kept as an opaque value that round-trips exactly.
    indirect case fun(ErlangFun)
    /// A term in OTP's local external format (`LOCAL_EXT`, OTP 26), kept as the bytes that follow
    /// the tag. Only the node that made it can read it.
    indirect case local([UInt8])
}

extension Term {
    /// The empty list, `[]`.
    public static let emptyList = Term.list([])
    /// The atom `true`.
    public static let `true` = Term.atom(.true)
    /// The atom `false`.
    public static let `false` = Term.atom(.false)
    /// The atom `nil` (Elixir's `nil`).
    public static let `nil` = Term.atom(.nil)
    /// The atom `ok`.
    public static let ok = Term.atom(.ok)

    /// An integer of any size: `.integer` when it fits in `Int`, `.bigInteger` otherwise.
    public static func integer(_ value: BigInteger) -> Term {
        if let small = value.intValue { return .integer(small) }
        return .bigInteger(value)
    }

    /// A UTF-8 binary holding `string` (the representation of an Elixir string).
    public static func string(_ string: String) -> Term {
        .binary(Array(string.utf8))
    }

    /// An Erlang charlist: the list of the string's code points.
    public static func charlist(_ string: String) -> Term {
        .list(string.unicodeScalars.map { .integer(Int($0.value)) })
    }

    /// A list with the given tail: proper when `tail` is a list, improper otherwise.
    public static func list(_ elements: [Term], tail: Term) -> Term {
        switch tail {
        case .list(let rest): return .list(elements + rest)
        case .improperList(let rest, let innerTail): return .improperList(elements + rest, tail: innerTail)
        default: return elements.isEmpty ? tail : .improperList(elements, tail: tail)
        }
    }
}

extension Term {
    /// The atom, if this is one.
    public var atomValue: Atom? {
        if case .atom(let a) = self { return a }
        return nil
    }

    /// The integer, if this is one that fits in `Int`.
    public var intValue: Int? {
        if case .integer(let i) = self { return i }
        return nil
    }

    /// The binary's bytes, if this is a binary.
    public var binaryValue: [UInt8]? {
        if case .binary(let b) = self { return b }
        return nil
    }

    /// The binary as a UTF-8 string, if this is a binary holding valid UTF-8.
    public var stringValue: String? {
        guard case .binary(let b) = self else { return nil }
        return String(validating: b, as: UTF8.self)
    }

    /// The tuple's elements, if this is a tuple.
    public var tupleElements: [Term]? {
        if case .tuple(let t) = self { return t }
        return nil
    }

    /// The list's elements, if this is a proper list.
    public var listElements: [Term]? {
        if case .list(let l) = self { return l }
        return nil
    }

    /// The map, if this is one.
    public var mapValue: TermMap? {
        if case .map(let m) = self { return m }
        return nil
    }

    /// The pid, if this is one.
    public var pidValue: PID? {
        if case .pid(let p) = self { return p }
        return nil
    }

    /// The reference, if this is one.
    public var referenceValue: Reference? {
        if case .reference(let r) = self { return r }
        return nil
    }

    /// Whether this is a ``local(_:)`` term.
    public var isLocal: Bool {
        if case .local = self { return true }
        return false
    }

    /// `true` for the atoms `true`; `false` for `false`; `nil` for anything else.
    public var boolValue: Bool? {
        switch self {
        case .atom(.true): return true
        case .atom(.false): return false
        default: return nil
        }
    }
}

extension Term: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByArrayLiteral, ExpressibleByBooleanLiteral
{
    /// An integer literal is an integer term.
    public init(integerLiteral value: Int) { self = .integer(value) }
    /// A float literal is a float term.
    public init(floatLiteral value: Double) { self = .float(value) }
    /// A string literal is an **atom**: terms written in Swift read like Erlang, `["ok", 1]`.
    /// Use ``string(_:)`` for a binary string.
    public init(stringLiteral value: String) { self = .atom(Atom(value)) }
    /// An array literal is a proper list.
    public init(arrayLiteral elements: Term...) { self = .list(elements) }
    /// `true` and `false` are the atoms of the same names.
    public init(booleanLiteral value: Bool) { self = .atom(value ? .true : .false) }
}
