import ErlangTerm

/// One key's value behind a type-erased face, so the replicator holds values of any type and
/// mutates them in place (a class, so a large map is never copied on update).
///
/// Only the replicator's state machine touches a cell, under its owner's lock.
protocol AnyDataCell: AnyObject, Sendable {
    /// The value's type name, as sent on the wire.
    var typeName: String { get }
    /// The value, copied out.
    var anyValue: any ReplicatedData { get }
    /// Merges an encoded state or delta of the same type; returns the parts that changed.
    func merge(encoded term: Term) throws -> [AnyHashable]
    /// The whole value, encoded.
    func encoded() throws -> Term
    /// Each of `parts`, encoded, with the digest of its state. `version` gives the change
    /// counter of a part: a digest taken at the same counter is reused.
    func digests(parts: Set<AnyHashable>, version: (AnyHashable) -> UInt64?) throws -> [PartDigestEntry]
    /// The encoded parts among `digests` whose state here differs from the digest given.
    func differing(_ digests: [PartDigestEntry], version: (AnyHashable) -> UInt64?) throws -> [Term]
    /// The value restricted to the encoded `parts`, encoded.
    func encoded(partTerms: [Term]) throws -> Term
    /// The local deltas buffered since the last call, encoded when `encoding` (else dropped),
    /// and cleared; `nil` when there were none.
    func takeOutbound(encoding: Bool) throws -> Term?
}

@usableFromInline
final class DataCell<Value: ReplicatedData>: AnyDataCell, @unchecked Sendable {
    @usableFromInline var value: Value
    let typeName: String
    /// The one part the last local update of this key changed, if it changed one.
    @usableFromInline var lastPart: Value.Part?
    /// The local deltas not yet pushed to the peers, merged.
    @usableFromInline var outbound: Value?
    /// Digests taken, with the change counter of the part when taken.
    private var digestCache: [Value.Part: (digest: PartDigest, version: UInt64)] = [:]

    @usableFromInline
    init(_ value: Value = Value(), typeName: String = ReplicatedTypes.name(of: Value.self)) {
        self.value = value
        self.typeName = typeName
    }

    var anyValue: any ReplicatedData { value }

    func merge(encoded term: Term) throws -> [AnyHashable] {
        merge(try TermDecoder().decode(Value.self, from: term))
    }

    /// Merges `other`; returns the parts that changed.
    func merge(_ other: Value) -> [AnyHashable] {
        value.mergeReportingChanges(other).map(AnyHashable.init)
    }

    func takeOutbound(encoding: Bool) throws -> Term? {
        guard let delta = outbound else { return nil }
        outbound = nil
        return encoding ? try DataCoding.encoder.encode(delta) : nil
    }

    func encoded() throws -> Term { try DataCoding.encoder.encode(value) }

    func digests(parts: Set<AnyHashable>, version: (AnyHashable) -> UInt64?) throws -> [PartDigestEntry] {
        var result: [PartDigestEntry] = []
        result.reserveCapacity(parts.count)
        for anyPart in parts {
            guard let part = anyPart.base as? Value.Part else { continue }
            let digest = try digest(part, version: version(anyPart))
            result.append(PartDigestEntry(part: try DataCoding.encoder.encode(part), digest: digest))
        }
        return result
    }

    func differing(_ digests: [PartDigestEntry], version: (AnyHashable) -> UInt64?) throws -> [Term] {
        let decoder = TermDecoder()
        let empty = Value()
        var result: [Term] = []
        for entry in digests {
            let part = try decoder.decode(Value.Part.self, from: entry.part)
            let known = version(AnyHashable(part))
            // A part this replica lacks differs from any state of it: no digest to take.
            if known == nil, value.restricted(to: [part]) == empty {
                result.append(entry.part)
            } else if try digest(part, version: known) != entry.digest {
                result.append(entry.part)
            }
        }
        return result
    }

    /// The digest of `part`, from the cache when taken at the part's current `version`.
    private func digest(_ part: Value.Part, version: UInt64?) throws -> PartDigest {
        if let version, let cached = digestCache[part], cached.version == version { return cached.digest }
        let digest = try PartDigest.of(value.restricted(to: [part]))
        if let version { digestCache[part] = (digest, version) }
        return digest
    }

    func encoded(partTerms: [Term]) throws -> Term {
        let decoder = TermDecoder()
        let parts = try partTerms.map { try decoder.decode(Value.Part.self, from: $0) }
        return try DataCoding.encoder.encode(value.restricted(to: Set(parts)))
    }
}

/// The value types a replicator accepts from the wire, by name: a type name from a peer is never
/// looked up freely, only in this table.
///
/// Colony's types over `String`, `Int` and `Term` elements are in every table; register your own
/// (or other element types) with ``register(_:)`` before peers send them. A type used through a
/// ``DataKey`` on this node is registered on first use.
public struct ReplicatedTypes: Sendable {
    private var makers: [String: @Sendable () -> any AnyDataCell] = [:]

    /// The built-in types.
    public init() {
        register(GCounter.self)
        register(PNCounter.self)
        register(Flag.self)
        registerElement(String.self)
        registerElement(Int.self)
        registerElement(Term.self)
    }

    private mutating func registerElement<E: Hashable & Sendable & Codable>(_: E.Type) {
        register(GSet<E>.self)
        register(TwoPhaseSet<E>.self)
        register(ORSet<E>.self)
        register(LWWRegister<E>.self)
        register(MVRegister<E>.self)
        register(LWWMap<String, E>.self)
        register(ORMap<String, ORSet<E>>.self)
        register(PNCounterMap<E>.self)
    }

    /// Accepts values of `type` from peers.
    public mutating func register<Value: ReplicatedData>(_ type: Value.Type) {
        makers[Self.name(of: type)] = { DataCell<Value>() }
    }

    /// Whether values named `name` are accepted.
    public func contains(_ name: String) -> Bool { makers[name] != nil }

    /// The names accepted.
    public var names: [String] { makers.keys.sorted() }

    /// An empty cell for the type named `name`, `nil` when it is not registered.
    func makeCell(_ name: String) -> (any AnyDataCell)? { makers[name]?() }

    /// The wire name of `type`: its fully qualified Swift name, the same on every node built from
    /// the same sources.
    public static func name<Value: ReplicatedData>(of type: Value.Type) -> String { String(reflecting: type) }
}

/// The encoder for values on the wire: map pairs in the order they come, since no one compares
/// the bytes (sorting a large map's keys would cost more than the rest of the encoding).
enum DataCoding {
    static let encoder: TermEncoder = {
        var encoder = TermEncoder()
        encoder.mapKeyOrder = .encodingOrder
        return encoder
    }()
}
