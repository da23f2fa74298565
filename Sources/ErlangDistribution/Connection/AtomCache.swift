public import ErlangTerm

/// The atom cache of one direction of one connection: 2048 entries in 8 segments of 256, as the
/// distribution header defines them.
///
/// The receiving side stores what the peer's headers say. The sending side chooses entries itself:
/// an atom goes to the slot its hash picks, and a header names it in full only when that slot held
/// a different atom, so frequent atoms cost two bytes after their first message.
public struct AtomCache: Sendable {
    /// The number of entries.
    public static let size = 2048
    private var entries: [Atom?] = Array(repeating: nil, count: AtomCache.size)

    /// An empty cache.
    public init() {}

    /// The atom at `index` (segment × 256 + internal index), if set.
    public subscript(index: Int) -> Atom? {
        get { entries[index] }
        set { entries[index] = newValue }
    }

    /// The slot the sending side uses for `atom`.
    @inline(__always)
    static func slot(for atom: Atom) -> Int {
        Int(truncatingIfNeeded: atom.textHash) & (size - 1)
    }
}

/// The atom cache references one outgoing message makes: which atoms, and whether each is new.
///
/// A message names few atoms, so the lists are searched linearly: cheaper than hashing. The
/// outbound side keeps one of these and reuses its storage for every message.
struct OutgoingAtomReferences {
    /// The referenced atoms in reference-index order.
    var atoms: [Atom] = []
    /// Their cache slots.
    var slots: [Int] = []
    /// Whether the header must carry the atom's text (the slot held another atom before).
    var isNew: [Bool] = []

    static let limit = 255

    init() {}

    /// Forgets the previous message's references, keeping the storage.
    mutating func reset() {
        atoms.removeAll(keepingCapacity: true)
        slots.removeAll(keepingCapacity: true)
        isNew.removeAll(keepingCapacity: true)
    }

    /// Adds `atom` if there is room; the cache slot is claimed at once.
    mutating func add(_ atom: Atom, cache: inout AtomCache) {
        guard slots.count < Self.limit, !atoms.contains(atom) else { return }
        let slot = AtomCache.slot(for: atom)
        // Two atoms of one message that share a slot: the second goes inline.
        if slots.contains(slot) { return }
        let new = cache[slot] != atom
        cache[slot] = atom
        atoms.append(atom)
        slots.append(slot)
        isNew.append(new)
    }
}

extension Term {
    /// Calls `body` for every atom in the term, including the node names inside pids, ports and
    /// references.
    func forEachAtom(_ body: (Atom) -> Void) {
        switch self {
        case .atom(let a): body(a)
        case .tuple(let elements), .list(let elements):
            for element in elements { element.forEachAtom(body) }
        case .improperList(let elements, let tail):
            for element in elements { element.forEachAtom(body) }
            tail.forEachAtom(body)
        case .map(let map):
            for (key, value) in map.pairs {
                key.forEachAtom(body)
                value.forEachAtom(body)
            }
        case .pid(let pid): body(pid.node)
        case .port(let port): body(port.node)
        case .reference(let ref): body(ref.node)
        case .export(let export):
            body(export.module)
            body(export.function)
        case .fun(let fun):
            body(fun.module)
            body(fun.pid.node)
            for value in fun.freeVariables { value.forEachAtom(body) }
        case .integer, .bigInteger, .float, .binary, .bitstring, .local: break
        }
    }
}
