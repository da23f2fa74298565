import ErlangTerm

/// One key's state or delta on the wire: `{Key, Type, State}`, or `{Key, deleted}` for a key
/// deleted for good.
struct WireEntry: Sendable, Equatable {
    enum Content: Sendable, Equatable {
        case value(type: String, state: Term)
        case deleted
        case absent
    }

    let key: String
    let content: Content

    var term: Term {
        switch content {
        case .value(let type, let state): .tuple([.string(key), .string(type), state])
        case .deleted: KeyMarker.deleted.term(key)
        case .absent: KeyMarker.absent.term(key)
        }
    }

    init(key: String, content: Content) {
        self.key = key
        self.content = content
    }

    init?(_ term: Term) {
        guard case .tuple(let t) = term, t.count == 2 || t.count == 3, let key = t[0].stringValue else { return nil }
        self.key = key
        if t.count == 3, let type = t[1].stringValue {
            content = .value(type: type, state: t[2])
        } else if t.count == 2, let marker = KeyMarker(t[1]) {
            content = marker == .deleted ? .deleted : .absent
        } else {
            return nil
        }
    }
}

/// The two-element forms every keyed item on the wire has: `{Key, deleted}` for a key deleted for
/// good, `{Key, none}` for a key the sender does not hold.
enum KeyMarker: Sendable, Equatable {
    case deleted
    case absent

    init?(_ atom: Term) {
        switch atom {
        case "deleted": self = .deleted
        case "none": self = .absent
        default: return nil
        }
    }

    func term(_ key: String) -> Term { .tuple([.string(key), self == .deleted ? "deleted" : "none"]) }
}

/// The messages replicators exchange, all sent to the peer's registered replicator.
enum ReplicatorMessage: Sendable, Equatable {
    /// A replicator introduces itself (on start, on nodeup, and in answer to a hello).
    case hello(from: Atom, incarnation: UInt64, answer: Bool)
    /// Deltas of local updates, pushed to every connected peer.
    case deltas(from: Atom, [WireEntry])
    /// Asks for the parts changed after `watermark` in the asker's known incarnation of the peer.
    case pull(from: Atom, incarnation: UInt64, watermark: UInt64)
    /// The answer to a pull: the digests of the parts changed through counter `through`; more
    /// follow when not `done`.
    case digests(from: Atom, incarnation: UInt64, through: UInt64, done: Bool, [DigestEntry])
    /// Asks for the parts whose digests differed, echoing the digests' `through` and `done`.
    case fetch(from: Atom, incarnation: UInt64, through: UInt64, done: Bool, [PartRequest])
    /// The answer to a fetch: the parts' states, with the `through` and `done` of the pull they
    /// complete.
    case changes(from: Atom, incarnation: UInt64, through: UInt64, done: Bool, [WireEntry])
    /// A write that needs an acknowledgement.
    case write(id: Int, from: Atom, WireEntry)
    /// A write was merged.
    case writeAck(id: Int, from: Atom)
    /// A read that needs this replica's value.
    case read(id: Int, from: Atom, key: String)
    /// This replica's value of a key.
    case readReply(id: Int, from: Atom, WireEntry)

    private static let tag: Atom = "colony_ddata"

    var term: Term {
        switch self {
        case .hello(let from, let incarnation, let answer):
            return message("hello", [.atom(from), .integer(Int(incarnation)), .atom(answer ? "true" : "false")])
        case .deltas(let from, let entries):
            return message("deltas", [.atom(from), .list(entries.map(\.term))])
        case .pull(let from, let incarnation, let watermark):
            return message("pull", [.atom(from), .integer(Int(incarnation)), .integer(Int(watermark))])
        case .digests(let from, let incarnation, let through, let done, let entries):
            return transfer("digests", from, incarnation, through, done, entries.map(\.term))
        case .fetch(let from, let incarnation, let through, let done, let requests):
            return transfer("fetch", from, incarnation, through, done, requests.map(\.term))
        case .changes(let from, let incarnation, let through, let done, let entries):
            return transfer("changes", from, incarnation, through, done, entries.map(\.term))
        case .write(let id, let from, let entry):
            return message("write", [.integer(id), .atom(from), entry.term])
        case .writeAck(let id, let from):
            return message("write_ack", [.integer(id), .atom(from)])
        case .read(let id, let from, let key):
            return message("read", [.integer(id), .atom(from), .string(key)])
        case .readReply(let id, let from, let entry):
            return message("read_reply", [.integer(id), .atom(from), entry.term])
        }
    }

    private func message(_ kind: Atom, _ fields: [Term]) -> Term { .tuple([.atom(Self.tag), .atom(kind)] + fields) }

    private func transfer(
        _ kind: Atom, _ from: Atom, _ incarnation: UInt64, _ through: UInt64, _ done: Bool, _ items: [Term]
    ) -> Term {
        message(
            kind,
            [
                .atom(from), .integer(Int(incarnation)), .integer(Int(through)), .atom(done ? "true" : "false"),
                .list(items),
            ])
    }

    /// Whether this is part of anti-entropy: digests, a fetch, or the parts fetched.
    var isAntiEntropy: Bool {
        switch self {
        case .digests, .fetch, .changes: true
        default: false
        }
    }

    /// Whether `term` is addressed to a replicator (well-formed or not).
    static func isReplicatorMessage(_ term: Term) -> Bool {
        if case .tuple(let t) = term, t.first == .atom(tag) { return true }
        return false
    }

    /// The message `term` holds, `nil` when it is malformed.
    init?(_ term: Term) {
        guard case .tuple(let t) = term, t.count >= 3, t[0] == .atom(Self.tag), case .atom(let kind) = t[1] else {
            return nil
        }
        let f = Array(t.dropFirst(2))
        switch (kind.name, f.count) {
        case ("hello", 3):
            guard case .atom(let from) = f[0], let incarnation = f[1].unsigned, let answer = f[2].boolValue else {
                return nil
            }
            self = .hello(from: from, incarnation: incarnation, answer: answer)
        case ("deltas", 2):
            guard case .atom(let from) = f[0], let entries = Self.entries(f[1]) else { return nil }
            self = .deltas(from: from, entries)
        case ("pull", 3):
            guard case .atom(let from) = f[0], let incarnation = f[1].unsigned, let watermark = f[2].unsigned else {
                return nil
            }
            self = .pull(from: from, incarnation: incarnation, watermark: watermark)
        case ("digests", 5), ("fetch", 5), ("changes", 5):
            guard case .atom(let from) = f[0], let incarnation = f[1].unsigned, let through = f[2].unsigned,
                let done = f[3].boolValue, case .list(let items) = f[4]
            else { return nil }
            switch kind.name {
            case "digests":
                guard let entries = Self.items(items, DigestEntry.init) else { return nil }
                self = .digests(from: from, incarnation: incarnation, through: through, done: done, entries)
            case "fetch":
                guard let requests = Self.items(items, PartRequest.init) else { return nil }
                self = .fetch(from: from, incarnation: incarnation, through: through, done: done, requests)
            default:
                guard let entries = Self.items(items, WireEntry.init) else { return nil }
                self = .changes(from: from, incarnation: incarnation, through: through, done: done, entries)
            }
        case ("write", 3):
            guard case .integer(let id) = f[0], case .atom(let from) = f[1], let entry = WireEntry(f[2]) else {
                return nil
            }
            self = .write(id: id, from: from, entry)
        case ("write_ack", 2):
            guard case .integer(let id) = f[0], case .atom(let from) = f[1] else { return nil }
            self = .writeAck(id: id, from: from)
        case ("read", 3):
            guard case .integer(let id) = f[0], case .atom(let from) = f[1], let key = f[2].stringValue else {
                return nil
            }
            self = .read(id: id, from: from, key: key)
        case ("read_reply", 3):
            guard case .integer(let id) = f[0], case .atom(let from) = f[1], let entry = WireEntry(f[2]) else {
                return nil
            }
            self = .readReply(id: id, from: from, entry)
        default:
            return nil
        }
    }

    private static func entries(_ term: Term) -> [WireEntry]? {
        guard case .list(let items) = term else { return nil }
        return Self.items(items, WireEntry.init)
    }

    private static func items<Item>(_ items: [Term], _ parse: (Term) -> Item?) -> [Item]? {
        var result: [Item] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let parsed = parse(item) else { return nil }
            result.append(parsed)
        }
        return result
    }
}

extension Term {
    fileprivate var unsigned: UInt64? {
        if case .integer(let value) = self, value >= 0 { return UInt64(value) }
        return nil
    }

    fileprivate var boolValue: Bool? {
        switch self {
        case "true": true
        case "false": false
        default: nil
        }
    }
}
