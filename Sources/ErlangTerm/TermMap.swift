/// An Erlang map: key-value pairs with unique keys.
///
/// Pairs keep the order in which they were decoded or built, so a decoded map re-encodes to the
/// same bytes. Equality and hashing ignore that order, as Erlang does. Lookups are linear for small
/// maps (OTP's own flat maps hold up to 32 keys the same way) and use a hash index beyond that.
public struct TermMap: Sendable, Hashable, Sequence, CustomStringConvertible {
    /// The pairs, in their stored order.
    public private(set) var pairs: [(key: Term, value: Term)]
    private var index: [Term: Int]?

    private static let indexThreshold = 32

    /// An empty map.
    public init() {
        self.pairs = []
    }

    /// A map from pairs. A later pair with the same key replaces an earlier one.
    public init(_ pairs: [(Term, Term)]) {
        self.pairs = []
        self.pairs.reserveCapacity(pairs.count)
        for (k, v) in pairs { self[k] = v }
    }

    /// A map from pairs that are known to have unique keys (the decoder checks this itself).
    init(uniquePairs: [(key: Term, value: Term)]) {
        self.pairs = uniquePairs
        if uniquePairs.count > Self.indexThreshold { rebuildIndex() }
    }

    /// A map from decoded pairs, or `nil` when two pairs share a key (OTP rejects such input).
    init?(checkingUniquePairs pairs: [(key: Term, value: Term)]) {
        self.pairs = pairs
        if pairs.count > Self.indexThreshold {
            rebuildIndex()
            if index!.count != pairs.count { return nil }
        } else {
            for i in pairs.indices {
                for j in 0..<i where pairs[i].key == pairs[j].key { return nil }
            }
        }
    }

    /// The number of pairs.
    public var count: Int { pairs.count }

    /// `true` when the map has no pairs.
    public var isEmpty: Bool { pairs.isEmpty }

    /// The value for `key`, or `nil`; setting `nil` removes the pair.
    public subscript(key: Term) -> Term? {
        get { position(of: key).map { pairs[$0].value } }
        set {
            if let i = position(of: key) {
                if let newValue {
                    pairs[i].value = newValue
                } else {
                    pairs.remove(at: i)
                    if index != nil { rebuildIndex() }
                }
            } else if let newValue {
                pairs.append((key, newValue))
                if index != nil {
                    index![key] = pairs.count - 1
                } else if pairs.count > Self.indexThreshold {
                    rebuildIndex()
                }
            }
        }
    }

    /// The value for the atom key `key` (Elixir's `map.key`).
    public subscript(atom key: Atom) -> Term? {
        self[.atom(key)]
    }

    private func position(of key: Term) -> Int? {
        if let index { return index[key] }
        return pairs.firstIndex { $0.key == key }
    }

    private mutating func rebuildIndex() {
        var index: [Term: Int] = [:]
        index.reserveCapacity(pairs.count)
        for (i, pair) in pairs.enumerated() { index[pair.key] = i }
        self.index = index
    }

    /// The keys, in stored order.
    public var keys: [Term] { pairs.map(\.key) }

    /// Iterates the pairs in stored order.
    public func makeIterator() -> IndexingIterator<[(key: Term, value: Term)]> {
        pairs.makeIterator()
    }

    /// The same pairs with keys in Erlang term order: the order OTP uses on the wire for maps of up
    /// to 32 keys, so encoding the result matches `term_to_binary` byte for byte.
    public func sortedByKey() -> TermMap {
        TermMap(uniquePairs: pairs.sorted { Term.compare($0.key, $1.key) < 0 })
    }

    public static func == (lhs: TermMap, rhs: TermMap) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (k, v) in lhs.pairs {
            guard rhs[k] == v else { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent: combine per-pair hashes commutatively.
        var sum = 0
        for (k, v) in pairs {
            var h = Hasher()
            h.combine(k)
            h.combine(v)
            sum = sum &+ h.finalize()
        }
        hasher.combine(count)
        hasher.combine(sum)
    }

    /// `#{k => v, ...}`.
    public var description: String {
        "#{" + pairs.map { "\($0.key) => \($0.value)" }.joined(separator: ", ") + "}"
    }
}

extension TermMap: ExpressibleByDictionaryLiteral {
    /// A map literal: `["name": .string("Ada")]` has the atom key `name`.
    public init(dictionaryLiteral elements: (Term, Term)...) {
        self.init(elements)
    }
}
