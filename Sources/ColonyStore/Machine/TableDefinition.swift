public import ErlangTerm

/// How a table holds records under a key, as in Mnesia and ETS.
public enum TableKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// One record per key; keys in no particular order.
    case set
    /// One record per key; keys listed in Erlang term order.
    case orderedSet = "ordered_set"
    /// Several records per key, each value at most once.
    case bag
}

/// A table's name, kind and secondary indexes.
public struct TableDefinition: Hashable, Sendable {
    /// The table's name.
    public var name: String
    /// How records are held under a key.
    public var kind: TableKind
    /// Fields of the records' values (maps, as Codable structs encode) to index: a lookup by
    /// such a field's value needs no scan.
    public var indexes: [Atom]

    /// A table named `name`.
    public init(name: String, kind: TableKind = .set, indexes: [Atom] = []) {
        self.name = name
        self.kind = kind
        self.indexes = indexes
    }

    var term: Term {
        .tuple([.string(name), .atom(Atom(kind.rawValue)), .list(indexes.map(Term.atom))])
    }

    init?(_ term: Term) {
        guard case .tuple(let parts) = term, parts.count == 3, let name = parts[0].stringValue,
            let kindName = parts[1].atomValue, let kind = TableKind(rawValue: kindName.name),
            case .list(let indexTerms) = parts[2]
        else { return nil }
        let indexes = indexTerms.compactMap(\.atomValue)
        guard indexes.count == indexTerms.count else { return nil }
        self.init(name: name, kind: kind, indexes: indexes)
    }
}

/// One record as the store keeps it.
public struct StoredRecord: Hashable, Sendable {
    /// The record's value.
    public var value: Term
    /// The log index of the write that last set it (a transaction's read checks it).
    public var version: UInt64
    /// When it expires, in milliseconds since 1970 by the leader's clock at the write; `nil` for
    /// never.
    public var expiresAt: Int64?

    /// A record.
    public init(value: Term, version: UInt64, expiresAt: Int64?) {
        self.value = value
        self.version = version
        self.expiresAt = expiresAt
    }

    func isLive(at now: Int64) -> Bool { expiresAt.map { $0 > now } ?? true }
}
