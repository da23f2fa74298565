import ErlangTerm

/// One part of a key, encoded, and the digest of its state (``PartDigest``): `{Part, Digest}`.
struct PartDigestEntry: Sendable, Equatable {
    let part: Term
    let digest: PartDigest

    var term: Term { .tuple([part, .binary(digest.bytes)]) }

    init(part: Term, digest: PartDigest) {
        self.part = part
        self.digest = digest
    }

    init?(_ term: Term) {
        guard case .tuple(let t) = term, t.count == 2, case .binary(let bytes) = t[1],
            let digest = PartDigest(bytes: bytes)
        else { return nil }
        self.init(part: t[0], digest: digest)
    }
}

/// One key in the answer to a pull: the digests of its changed parts, `{Key, Type, [{Part,
/// Digest}]}`; or `{Key, deleted}` for a key deleted for good (the deletion itself, which is
/// smaller than any digest); or `{Key, none}`.
struct DigestEntry: Sendable, Equatable {
    enum Content: Sendable, Equatable {
        case parts(type: String, [PartDigestEntry])
        case deleted
        case absent
    }

    let key: String
    let content: Content

    var term: Term {
        switch content {
        case .parts(let type, let parts): .tuple([.string(key), .string(type), .list(parts.map(\.term))])
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
        if t.count == 3, let type = t[1].stringValue, case .list(let items) = t[2] {
            var parts: [PartDigestEntry] = []
            parts.reserveCapacity(items.count)
            for item in items {
                guard let part = PartDigestEntry(item) else { return nil }
                parts.append(part)
            }
            content = .parts(type: type, parts)
        } else if t.count == 2, let marker = KeyMarker(t[1]) {
            content = marker == .deleted ? .deleted : .absent
        } else {
            return nil
        }
    }
}

/// The parts of one key a replicator asks a peer for, encoded: `{Key, [Part]}`.
struct PartRequest: Sendable, Equatable {
    let key: String
    let parts: [Term]

    var term: Term { .tuple([.string(key), .list(parts)]) }

    init(key: String, parts: [Term]) {
        self.key = key
        self.parts = parts
    }

    init?(_ term: Term) {
        guard case .tuple(let t) = term, t.count == 2, let key = t[0].stringValue, case .list(let parts) = t[1] else {
            return nil
        }
        self.init(key: key, parts: parts)
    }
}
