/// An Erlang atom: an interned, immutable name.
///
/// Atoms are interned in the process-wide ``AtomTable``: two atoms with the same text are the same
/// table entry, so equality and hashing cost one pointer comparison, and encoding an atom reads its
/// UTF-8 bytes without a lookup. Entries are never freed (as on the BEAM), which is why atoms made
/// from untrusted input are capped (see ``AtomTable/inputLimit``).
///
/// ```swift
/// let ok: Atom = "ok"
/// let same = Atom("ok")
/// assert(ok == same)
/// ```
public struct Atom: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    @usableFromInline
    let entry: Unmanaged<AtomEntry>

    @inlinable
    init(entry: Unmanaged<AtomEntry>) {
        self.entry = entry
    }

    /// Interns `name` and returns its atom. Atoms made by the program are not counted against the
    /// input cap.
    ///
    /// - Precondition: `name` has at most 255 characters, Erlang's limit.
    public init(_ name: String) {
        // Scalars never outnumber UTF-8 bytes, so short names skip the count.
        precondition(
            name.utf8.count <= Atom.maximumCharacters || name.unicodeScalars.count <= Atom.maximumCharacters,
            "an atom has at most 255 characters")
        var name = name
        self = name.withUTF8 { AtomTable.shared.intern(utf8: UnsafeRawBufferPointer($0), fromInput: false)! }
    }

    /// The atom `name` if it exists already; never creates one. For names from outside the node
    /// that must not grow the atom table (a peer's name before it has authenticated).
    public init?(existing name: String) {
        var name = name
        guard let atom = name.withUTF8({ AtomTable.shared.existing(utf8: UnsafeRawBufferPointer($0)) }) else {
            return nil
        }
        self = atom
    }

    /// Interns `name`, which came from outside the node: it counts against
    /// ``AtomTable/inputLimit``. `nil` past that cap, or when `name` is longer than an atom can be.
    public init?(input name: String) {
        guard name.unicodeScalars.count <= Atom.maximumCharacters else { return nil }
        var name = name
        guard let atom = name.withUTF8({ AtomTable.shared.intern(utf8: UnsafeRawBufferPointer($0), fromInput: true) })
        else { return nil }
        self = atom
    }

    /// Interns a string literal.
    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// The atom's text.
    public var name: String { entry.takeUnretainedValue().name }

    /// The atom's text as UTF-8 bytes, as it is written on the wire.
    @inlinable
    public var utf8: [UInt8] { entry.takeUnretainedValue().utf8 }

    /// The atom's UTF-8 bytes, without copying or reference counting: the memory lives as long as
    /// the process.
    @inlinable
    public var utf8Bytes: UnsafeRawBufferPointer { entry.takeUnretainedValue().bytes }

    /// A hash of the atom's text (FNV-1a of its UTF-8 bytes), the same in every process; the
    /// distribution layer uses it to place atoms in its atom cache.
    public var textHash: UInt64 { entry.takeUnretainedValue().hashValue }

    /// The atom written as Erlang source would write it: bare when it can be, quoted otherwise.
    public var description: String { entry.takeUnretainedValue().quoted }

    @inlinable
    public static func == (lhs: Atom, rhs: Atom) -> Bool {
        lhs.entry.toOpaque() == rhs.entry.toOpaque()
    }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(entry.toOpaque())
    }

    /// Erlang orders atoms by their text, code point by code point; UTF-8 byte order is the same.
    public static func < (lhs: Atom, rhs: Atom) -> Bool {
        lhs != rhs && lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    /// The most characters an atom may have.
    public static let maximumCharacters = 255

    /// `true`.
    public static let `true` = Atom("true")
    /// `false`.
    public static let `false` = Atom("false")
    /// `nil`, Elixir's nil and the value Colony's Codable mapping gives a Swift `nil`.
    public static let `nil` = Atom("nil")
    /// `ok`.
    public static let ok = Atom("ok")
    /// `error`.
    public static let error = Atom("error")
    /// `undefined`.
    public static let undefined = Atom("undefined")
    /// `nonode@nohost`, the node name of a node that is not distributed.
    public static let noNode = Atom("nonode@nohost")
}

/// One interned atom. Immortal: the table keeps every entry for the life of the process.
@usableFromInline
final class AtomEntry: @unchecked Sendable {
    let name: String
    @usableFromInline let utf8: [UInt8]
    let hashValue: UInt64
    let quoted: String

    /// The UTF-8 bytes in memory of their own that is never freed (the entry is immortal), so the
    /// encoder reads them without reference counting.
    @usableFromInline let bytes: UnsafeRawBufferPointer

    init(utf8: [UInt8], hashValue: UInt64) {
        self.utf8 = utf8
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(utf8.count, 1), alignment: 1)
        storage.copyBytes(from: utf8)
        self.bytes = UnsafeRawBufferPointer(rebasing: storage[0..<utf8.count])
        self.hashValue = hashValue
        self.name = String(decoding: utf8, as: UTF8.self)
        self.quoted = AtomEntry.quote(name)
    }

    /// Erlang's printing rule: an atom that starts with a lower-case letter and holds only
    /// alphanumerics, `_` and `@` is printed bare; anything else is quoted.
    static func quote(_ name: String) -> String {
        let scalars = name.unicodeScalars
        if let first = scalars.first, ("a"..."z").contains(first),
            scalars.allSatisfy({
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
                    || $0 == "@"
            })
        {
            return name
        }
        var out = "'"
        for s in scalars {
            switch s {
            case "'": out += "\\'"
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(s)
            }
        }
        return out + "'"
    }
}
