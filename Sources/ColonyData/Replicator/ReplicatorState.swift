import Colony
import ErlangTerm

/// The replicator's protocol as a pure state machine: local updates, peers' deltas, anti-entropy
/// pulls, and reads and writes at a consistency level go in; messages to send, keys that changed
/// and requests that completed come out. The ``Replicator`` shell performs them.
///
/// Anti-entropy: every change of a part bumps this node's change counter, and a peer asks for the
/// parts changed after the counter it last saw (its watermark, per incarnation of this node). The
/// answer holds each part's digest, not its state; the peer fetches the parts whose state differs
/// from its own, one fetch at a time, so a part that several peers offer is fetched once. A node
/// that missed updates, was partitioned, restarted with its data or just joined is sent what it
/// lacks, and what it already has costs a digest.
@usableFromInline
struct ReplicatorState: Sendable {
    enum Effect: Sendable, Equatable {
        /// Send to the replicator on `node`.
        case send(ReplicatorMessage, to: Atom)
        /// The value of a key changed.
        case changed(String)
        /// A request finished.
        case completed(id: Int, ReplicatorError?)
        /// Something from a peer was refused.
        case warning(String)
    }

    enum Entry: Sendable {
        case live(any AnyDataCell)
        case deleted
    }

    struct Peer: Sendable {
        var incarnation: UInt64
        var connected: Bool
        /// This node has every part the peer changed through this counter (in `incarnation`).
        var watermark: UInt64 = 0
        /// Gossip rounds since a pull went out unanswered, `nil` when none is out.
        var pulling: Int? = nil
        /// Gossip rounds since the peer disconnected.
        var disconnectedRounds = 0
    }

    struct Pending: Sendable {
        let key: String
        let needed: Int
        var answered: Set<Atom>
    }

    /// A peer's answer to a pull, waiting for the fetch under way to finish.
    struct DigestAnswer: Sendable {
        let peer: Atom
        let incarnation: UInt64
        let through: UInt64
        let done: Bool
        let entries: [DigestEntry]
    }

    /// The fetch under way: from which peer, and gossip rounds since it went out.
    struct Fetching: Sendable {
        let peer: Atom
        var rounds = 0
    }

    /// The part recorded when a key is deleted.
    enum DeletedPart: Hashable { case marker }

    let me: Atom
    @usableFromInline let replica: ReplicaID
    let settings: ReplicatorSettings
    /// Set only here (internal for the inlined ``update(_:_:)``).
    @usableFromInline var types: ReplicatedTypes
    private(set) var entries: [String: Entry] = [:]
    @usableFromInline var changes = ChangeLog()
    private(set) var peers: [Atom: Peer] = [:]
    /// Keys whose cells hold local deltas not yet pushed (each cell buffers its own).
    @usableFromInline var outbound: Set<String> = []
    private var outboundDeletions: Set<String> = []
    private var pending: [Int: Pending] = [:]
    /// At most one fetch is out at a time, so that a part several peers offer is fetched once.
    private var fetching: Fetching?
    /// Pull answers that arrived while a fetch was out, in arrival order.
    private var queuedAnswers: [DigestAnswer] = []
    private var random: SeededRandom
    /// What this replicator sent and merged, for views and benchmarks.
    private(set) var statistics = ReplicatorStatistics()
    private let forgetRounds: Int
    /// The change counter up to which durable keys are on disk.
    private var durableWatermark: UInt64 = 0
    /// The key of the last local update and the change counter after it.
    @usableFromInline var lastUpdate: LastUpdate?

    @usableFromInline
    struct LastUpdate: Sendable {
        @usableFromInline let key: String
        @usableFromInline let counter: UInt64

        @usableFromInline
        init(key: String, counter: UInt64) {
            self.key = key
            self.counter = counter
        }
    }

    init(me: Atom, incarnation: UInt64, settings: ReplicatorSettings, seed: UInt64) {
        self.me = me
        // Incarnations travel as Erlang integers: kept below 2^62, a small integer on every node.
        replica = ReplicaID(node: me.name, incarnation: incarnation & ((1 << 62) - 1))
        self.settings = settings
        types = settings.types
        random = SeededRandom(seed: seed)
        let interval = max(settings.gossipInterval, .milliseconds(1))
        forgetRounds = max(1, Int(settings.forgetDisconnectedAfter / interval))
    }

    /// Replicas that count for `majority` and `all`: this one and every peer not forgotten.
    var knownReplicas: Int { peers.count + 1 }

    /// Peers connected now.
    var connectedPeers: [Atom] { peers.filter(\.value.connected).map(\.key).sorted() }

    /// Whether local deltas wait to be pushed.
    var hasOutbound: Bool { !outbound.isEmpty || !outboundDeletions.isEmpty }

    // MARK: - Local operations

    /// The value of `key`, `nil` when absent.
    func value<V: ReplicatedData>(_ key: DataKey<V>) throws(ReplicatorError) -> V? {
        switch entries[key.id] {
        case nil: return nil
        case .deleted: throw .deleted(key: key.id)
        case .live(let cell):
            guard let typed = cell as? DataCell<V> else {
                throw .typeMismatch(key: key.id, holds: cell.typeName, asked: ReplicatedTypes.name(of: V.self))
            }
            return typed.value
        }
    }

    /// The value of `key` type-erased, for subscribers and views.
    func anyValue(_ key: String) -> (any ReplicatedData)? {
        if case .live(let cell) = entries[key] { return cell.anyValue }
        return nil
    }

    /// Applies a local update; the delta waits in the outbound buffer for ``flush()``. Returns the
    /// delta, for a write that needs acknowledgements (a value, not a tuple: a generic tuple costs
    /// a metadata lookup on every call). Inlinable, so that a caller in another module runs it
    /// specialized for its value type: unspecialized, the type metadata lookups cost more than
    /// the update.
    @inlinable
    @discardableResult
    mutating func update<V: ReplicatedData>(
        _ key: DataKey<V>, _ mutate: (inout V, ReplicaID) throws -> V
    ) throws -> V {
        let cell: DataCell<V>
        if let existing = try cellObject(key.id) {
            guard let typed = existing as? DataCell<V> else { throw mismatch(key) }
            cell = typed
        } else {
            cell = makeCell(key)
        }
        let delta = try mutate(&cell.value, replica)
        let parts = delta.parts
        if parts.count == 1, lastUpdate?.counter == changes.counter, lastUpdate?.key == key.id,
            let lastPart = cell.lastPart, lastPart == parts[0], changes.bumpLast()
        {
            // The same part as the last change anywhere (a counter updated in a loop).
        } else {
            record(key.id, parts, in: cell)
        }
        lastUpdate = LastUpdate(key: key.id, counter: changes.counter)
        if cell.outbound == nil {
            cell.outbound = delta
            outbound.insert(key.id)
        } else {
            cell.outbound?.merge(delta)
        }
        return delta
    }

    /// The cell of `key` (as an object: the cell protocol stays internal), `nil` when absent.
    @usableFromInline
    func cellObject(_ key: String) throws(ReplicatorError) -> AnyObject? {
        switch entries[key] {
        case nil: return nil
        case .deleted: throw .deleted(key: key)
        case .live(let cell): return cell
        }
    }

    /// Why `key` cannot be updated as a `V`.
    @usableFromInline
    func mismatch<V: ReplicatedData>(_ key: DataKey<V>) -> ReplicatorError {
        guard case .live(let cell) = entries[key.id] else { return .deleted(key: key.id) }
        return .typeMismatch(key: key.id, holds: cell.typeName, asked: ReplicatedTypes.name(of: V.self))
    }

    /// A new key's cell (its type registered, so peers' values of it are accepted).
    @usableFromInline
    mutating func makeCell<V: ReplicatedData>(_ key: DataKey<V>) -> DataCell<V> {
        types.register(V.self)
        let cell = DataCell<V>()
        entries[key.id] = .live(cell)
        return cell
    }

    /// Records that a local update changed `parts` of `key`.
    @usableFromInline
    mutating func record<V: ReplicatedData>(_ key: String, _ parts: [V.Part], in cell: DataCell<V>) {
        if parts.count == 1 {
            changes.record(key, CollectionOfOne(AnyHashable(parts[0])))
            cell.lastPart = parts[0]
        } else {
            changes.record(key, parts.lazy.map(AnyHashable.init))
            cell.lastPart = nil
        }
    }

    /// Deletes `key` for good; the deletion goes out with the next ``flush()``. Returns it, for a
    /// delete that needs acknowledgements.
    mutating func delete(_ key: String) -> (entry: WireEntry, effects: [Effect]) {
        let entry = WireEntry(key: key, content: .deleted)
        let effects = apply(entry)
        if !effects.isEmpty { outboundDeletions.insert(key) }
        return (entry, effects)
    }

    /// Pushes the buffered deltas to every connected peer.
    mutating func flush() -> [Effect] {
        guard hasOutbound else { return [] }
        let peers = connectedPeers
        var wire: [WireEntry] = outboundDeletions.sorted().map { WireEntry(key: $0, content: .deleted) }
        var effects: [Effect] = []
        for key in outbound.sorted() {
            guard case .live(let cell) = entries[key] else { continue }
            do {
                guard let delta = try cell.takeOutbound(encoding: !peers.isEmpty) else { continue }
                wire.append(WireEntry(key: key, content: .value(type: cell.typeName, state: delta)))
            } catch {
                effects.append(.warning("\(key): the delta does not encode: \(error)"))
            }
        }
        outbound = []
        outboundDeletions = []
        // No peer to send to: whoever connects later pulls these changes from the change log.
        guard !peers.isEmpty else { return effects }
        statistics.deltaBatchesSent += peers.count
        for peer in peers { effects.append(.send(.deltas(from: me, wire), to: peer)) }
        return effects
    }

    // MARK: - Durable keys

    /// Merges the entries read from disk at start, before any peer is heard; they count as on
    /// disk already.
    mutating func restore(_ stored: [WireEntry]) -> [Effect] {
        var effects: [Effect] = []
        for entry in stored { effects += apply(entry) }
        durableWatermark = changes.counter
        return effects
    }

    /// The full states (or tombstones) of the durable keys changed since the last call, and the
    /// watermark they were taken after (to hand back to ``retryDurable(from:)`` if the write fails).
    mutating func durableChanges(_ keys: DurableSettings.Keys) -> (entries: [WireEntry], since: UInt64) {
        let since = durableWatermark
        guard changes.counter > since else { return ([], since) }
        let changed = changes.changes(after: since, limit: .max).parts.keys
        durableWatermark = changes.counter
        return (changed.filter(keys.contains).sorted().map { wireEntry($0) }, since)
    }

    /// A write of durable keys failed: they are taken again from `watermark` next time.
    mutating func retryDurable(from watermark: UInt64) { durableWatermark = min(durableWatermark, watermark) }

    // MARK: - Requests at a consistency level

    /// Sends a local write (`entry`, already applied here) to the peers and waits for enough
    /// acknowledgements.
    mutating func startWrite(id: Int, entry: WireEntry, level: Consistency) -> [Effect] {
        start(id: id, key: entry.key, level: level, message: .write(id: id, from: me, entry))
    }

    /// Asks the peers for their value of `key`, merging each answer here.
    mutating func startRead(id: Int, key: String, level: Consistency) -> [Effect] {
        start(id: id, key: key, level: level, message: .read(id: id, from: me, key: key))
    }

    private mutating func start(
        id: Int, key: String, level: Consistency, message: ReplicatorMessage
    ) -> [Effect] {
        let needed = level.needed(of: knownReplicas)
        if needed <= 1 { return [.completed(id: id, nil)] }
        let connected = connectedPeers
        if connected.count + 1 < needed {
            return [.completed(id: id, .unreachable(key: key, connected: connected.count + 1, needed: needed))]
        }
        pending[id] = Pending(key: key, needed: needed, answered: [me])
        return connected.map { .send(message, to: $0) }
    }

    /// A request's time is up.
    mutating func timeout(_ id: Int) -> [Effect] {
        guard let request = pending.removeValue(forKey: id) else { return [] }
        return [
            .completed(id: id, .timeout(key: request.key, answered: request.answered.count, needed: request.needed))
        ]
    }

    private mutating func answered(_ id: Int, by peer: Atom) -> [Effect] {
        guard var request = pending[id] else { return [] }
        request.answered.insert(peer)
        if request.answered.count >= request.needed {
            pending[id] = nil
            return [.completed(id: id, nil)]
        }
        pending[id] = request
        return []
    }

    // MARK: - Peers and gossip

    /// Introduces this replicator to the connected nodes.
    func started(connected: [Atom]) -> [Effect] {
        connected.map { .send(.hello(from: me, incarnation: replica.incarnation, answer: false), to: $0) }
    }

    /// A node connected: introduce this replicator (a node without one drops the message).
    func nodeUp(_ node: Atom) -> [Effect] {
        [.send(.hello(from: me, incarnation: replica.incarnation, answer: false), to: node)]
    }

    /// A node disconnected; it still counts as a replica until forgotten. A fetch from it is
    /// given up; the answers that waited for it are looked at on the next tick, not at once: when
    /// several nodes go down together, their nodedowns are still on their way, and a fetch sent to
    /// one of them now would connect to it again.
    mutating func nodeDown(_ node: Atom) {
        peers[node]?.connected = false
        peers[node]?.pulling = nil
        dropTransfers(of: node)
    }

    /// Stops counting `node` as a replica, and gives up any transfer from it; the answers that
    /// waited for it are looked at on the next tick.
    mutating func forget(_ node: Atom) {
        peers[node] = nil
        dropTransfers(of: node)
    }

    private mutating func dropTransfers(of node: Atom) {
        queuedAnswers.removeAll { $0.peer == node }
        if fetching?.peer == node { fetching = nil }
    }

    /// Looks at the pull answers that waited for a fetch, until one needs a fetch of its own.
    private mutating func resume() -> [Effect] {
        var effects: [Effect] = []
        while fetching == nil, !queuedAnswers.isEmpty {
            let answer = queuedAnswers.removeFirst()
            guard peers[answer.peer]?.connected == true else { continue }
            effects += evaluate(answer)
        }
        return effects
    }

    /// One gossip round: ask peers for what changed since their watermark; forget peers
    /// disconnected for too long; give up a fetch unanswered for two rounds.
    mutating func tick() -> [Effect] {
        var effects: [Effect] = []
        for (node, peer) in peers where !peer.connected {
            peers[node]!.disconnectedRounds += 1
            if peer.disconnectedRounds + 1 >= forgetRounds { forget(node) }
        }
        if var out = fetching {
            out.rounds += 1
            fetching = out
            // Unanswered for two rounds: go on with the other peers' answers. A late answer still
            // merges and continues that peer's pull; a lost one is asked again when the pull
            // times out.
            if out.rounds >= 2 { fetching = nil }
        }
        effects += resume()
        var candidates = connectedPeers
        if let fanout = settings.gossipFanout, candidates.count > fanout {
            candidates.shuffle(using: &random)
            candidates = Array(candidates.prefix(max(1, fanout)))
        }
        return effects + candidates.flatMap { pull($0) }
    }

    private mutating func pull(_ node: Atom) -> [Effect] {
        guard var peer = peers[node], peer.connected else { return [] }
        // Its answer is here, waiting for a fetch, or its parts are being fetched.
        if fetching?.peer == node || queuedAnswers.contains(where: { $0.peer == node }) { return [] }
        if let rounds = peer.pulling, rounds < 10 {
            peer.pulling = rounds + 1
            peers[node] = peer
            return []
        }
        peer.pulling = 0
        peers[node] = peer
        return [.send(.pull(from: me, incarnation: peer.incarnation, watermark: peer.watermark), to: node)]
    }

    // MARK: - Messages from peers

    /// A message sent to the replicator.
    mutating func receive(_ term: Term) -> [Effect] {
        guard let message = ReplicatorMessage(term) else {
            return [.warning("malformed replicator message dropped")]
        }
        switch message {
        case .hello(let from, let incarnation, let answer):
            return hello(from, incarnation: incarnation, answer: answer)
        case .deltas(_, let wire):
            return wire.flatMap { apply($0) }
        case .pull(let from, let incarnation, let watermark):
            return answerPull(from, known: incarnation, watermark: watermark)
        case .digests(let from, let incarnation, let through, let done, let entries):
            // From an earlier life of the peer (its new life says hello before it answers): void.
            guard peers[from]?.incarnation == incarnation else { return [] }
            let answer = DigestAnswer(
                peer: from, incarnation: incarnation, through: through, done: done, entries: entries)
            if fetching != nil {
                queuedAnswers.append(answer)
                return []
            }
            return evaluate(answer)
        case .fetch(let from, let incarnation, let through, let done, let requests):
            return answerFetch(from, known: incarnation, through: through, done: done, requests)
        case .changes(let from, let incarnation, let through, let done, let wire):
            var effects = wire.flatMap { apply($0) }
            if fetching?.peer == from { fetching = nil }
            effects += advance(from, incarnation: incarnation, through: through, done: done)
            return effects + resume()
        case .write(let id, let from, let entry):
            return apply(entry) + [.send(.writeAck(id: id, from: me), to: from)]
        case .writeAck(let id, let from):
            return answered(id, by: from)
        case .read(let id, let from, let key):
            return [.send(.readReply(id: id, from: me, wireEntry(key)), to: from)]
        case .readReply(let id, let from, let entry):
            return apply(entry) + answered(id, by: from)
        }
    }

    private mutating func hello(_ from: Atom, incarnation: UInt64, answer: Bool) -> [Effect] {
        guard from != me else { return [] }
        var peer = peers[from] ?? Peer(incarnation: incarnation, connected: false)
        var effects: [Effect] = []
        // Both sides say hello on nodeup, and each answers the other's: a pull already under way
        // (same incarnation, still connected) goes on rather than starting a second one.
        if peer.incarnation != incarnation || !peer.connected { peer.pulling = nil }
        if peer.incarnation != incarnation {
            peer.incarnation = incarnation
            peer.watermark = 0
            // A new life of that replicator: what its earlier life offered or owes is void.
            dropTransfers(of: from)
            effects += resume()
        }
        peer.connected = true
        peer.disconnectedRounds = 0
        peers[from] = peer
        if !answer { effects.append(.send(.hello(from: me, incarnation: replica.incarnation, answer: true), to: from)) }
        return effects + pull(from)
    }

    /// The peer's parts through `through` are here: its watermark moves on, and the next chunk
    /// is asked for when there is more. An answer of another life of the peer than the one its
    /// last `hello` named (which comes before any answer of that life) moves nothing.
    private mutating func advance(_ from: Atom, incarnation: UInt64, through: UInt64, done: Bool) -> [Effect] {
        guard var peer = peers[from], peer.incarnation == incarnation else { return [] }
        peer.watermark = max(peer.watermark, through)
        peer.pulling = nil
        peers[from] = peer
        return done ? [] : pull(from)
    }

    /// Compares a pull answer's digests with the parts here: deletions apply at once, and the
    /// parts that differ (or that this node lacks) are fetched; with none, the pull is complete.
    private mutating func evaluate(_ answer: DigestAnswer) -> [Effect] {
        var effects: [Effect] = []
        var requests: [PartRequest] = []
        for entry in answer.entries {
            switch entry.content {
            case .absent:
                continue
            case .deleted:
                effects += apply(WireEntry(key: entry.key, content: .deleted))
            case .parts(let type, let digests):
                switch entries[entry.key] {
                case .deleted:
                    continue
                case nil:
                    guard types.contains(type) else {
                        effects.append(.warning("\(entry.key): a peer offered the unregistered type \(type)"))
                        continue
                    }
                    requests.append(PartRequest(key: entry.key, parts: digests.map(\.part)))
                case .live(let cell):
                    guard cell.typeName == type else {
                        effects.append(.warning("\(entry.key): a peer offered \(type), the key holds \(cell.typeName)"))
                        continue
                    }
                    do {
                        let log = changes
                        let key = entry.key
                        let differing = try cell.differing(digests) { log.counter(of: key, $0) }
                        if !differing.isEmpty { requests.append(PartRequest(key: entry.key, parts: differing)) }
                    } catch {
                        effects.append(.warning("\(entry.key): a peer's part of \(type) does not decode: \(error)"))
                    }
                }
            }
        }
        guard !requests.isEmpty else {
            return effects
                + advance(answer.peer, incarnation: answer.incarnation, through: answer.through, done: answer.done)
        }
        fetching = Fetching(peer: answer.peer)
        statistics.partsFetched += requests.reduce(0) { $0 + $1.parts.count }
        let fetch = ReplicatorMessage.fetch(
            from: me, incarnation: answer.incarnation, through: answer.through, done: answer.done, requests)
        return effects + [.send(fetch, to: answer.peer)]
    }

    private mutating func answerPull(_ from: Atom, known incarnation: UInt64, watermark: UInt64) -> [Effect] {
        let since = incarnation == replica.incarnation ? watermark : 0
        let (parts, through, done) = changes.changes(after: since, limit: max(1, settings.transferLimit))
        var effects: [Effect] = []
        var digests: [DigestEntry] = []
        digests.reserveCapacity(parts.count)
        for (key, keyParts) in parts.sorted(by: { $0.key < $1.key }) {
            switch entries[key] {
            case nil:
                digests.append(DigestEntry(key: key, content: .absent))
            case .deleted:
                digests.append(DigestEntry(key: key, content: .deleted))
            case .live(let cell):
                do {
                    let log = changes
                    let parts = try cell.digests(parts: keyParts) { log.counter(of: key, $0) }
                    digests.append(DigestEntry(key: key, content: .parts(type: cell.typeName, parts)))
                } catch {
                    effects.append(.warning("\(key): the parts do not encode: \(error)"))
                }
            }
        }
        statistics.pullsAnswered += 1
        statistics.partsDigested += parts.values.reduce(0) { $0 + $1.count }
        let answer = ReplicatorMessage.digests(
            from: me, incarnation: replica.incarnation, through: through, done: done, digests)
        return effects + [.send(answer, to: from)]
    }

    private mutating func answerFetch(
        _ from: Atom, known incarnation: UInt64, through: UInt64, done: Bool, _ requests: [PartRequest]
    ) -> [Effect] {
        // Asked of an earlier life of this replicator: nothing to answer. This life's hello
        // reached the asker first, which dropped that fetch and pulls from zero.
        guard incarnation == replica.incarnation else { return [] }
        var effects: [Effect] = []
        var wire: [WireEntry] = []
        wire.reserveCapacity(requests.count)
        for request in requests {
            switch entries[request.key] {
            case nil:
                wire.append(WireEntry(key: request.key, content: .absent))
            case .deleted:
                wire.append(WireEntry(key: request.key, content: .deleted))
            case .live(let cell):
                do {
                    let state = try cell.encoded(partTerms: request.parts)
                    wire.append(WireEntry(key: request.key, content: .value(type: cell.typeName, state: state)))
                    statistics.partsSent += request.parts.count
                } catch {
                    effects.append(.warning("\(request.key): a peer asked for parts that do not decode: \(error)"))
                }
            }
        }
        let answer = ReplicatorMessage.changes(
            from: me, incarnation: replica.incarnation, through: through, done: done, wire)
        return effects + [.send(answer, to: from)]
    }

    private func wireEntry(_ key: String) -> WireEntry {
        switch entries[key] {
        case nil: return WireEntry(key: key, content: .absent)
        case .deleted: return WireEntry(key: key, content: .deleted)
        case .live(let cell):
            guard let state = try? cell.encoded() else { return WireEntry(key: key, content: .absent) }
            return WireEntry(key: key, content: .value(type: cell.typeName, state: state))
        }
    }

    /// Merges a key's state, delta or deletion from anywhere.
    private mutating func apply(_ entry: WireEntry) -> [Effect] {
        switch entry.content {
        case .absent:
            return []
        case .deleted:
            if case .deleted = entries[entry.key] { return [] }
            entries[entry.key] = .deleted
            outbound.remove(entry.key)
            changes.forget(entry.key)
            changes.record(entry.key, [AnyHashable(DeletedPart.marker)])
            return [.changed(entry.key)]
        case .value(let type, let state):
            let cell: any AnyDataCell
            switch entries[entry.key] {
            case .deleted:
                return []
            case .live(let existing):
                guard existing.typeName == type else {
                    return [.warning("\(entry.key): a peer sent \(type), the key holds \(existing.typeName)")]
                }
                cell = existing
            case nil:
                guard let made = types.makeCell(type) else {
                    return [.warning("\(entry.key): a peer sent the unregistered type \(type)")]
                }
                cell = made
            }
            let changed: [AnyHashable]
            do {
                changed = try cell.merge(encoded: state)
            } catch {
                return [.warning("\(entry.key): a peer's \(type) does not decode: \(error)")]
            }
            if entries[entry.key] == nil { entries[entry.key] = .live(cell) }
            statistics.partsMerged += changed.count
            guard !changed.isEmpty else { return [] }
            changes.record(entry.key, changed)
            return [.changed(entry.key)]
        }
    }
}

/// Counts of a replicator's traffic since it started.
public struct ReplicatorStatistics: Sendable, Equatable {
    /// Pulls (anti-entropy requests) answered.
    public var pullsAnswered = 0
    /// Parts whose digests went out in answers to pulls.
    public var partsDigested = 0
    /// Parts asked for by this replicator after comparing a peer's digests.
    public var partsFetched = 0
    /// Parts whose states went out in answers to fetches.
    public var partsSent = 0
    /// Parts that changed here by merging what peers sent.
    public var partsMerged = 0
    /// Batches of local deltas sent (one per peer per flush).
    public var deltaBatchesSent = 0
    /// Bytes of anti-entropy messages sent (digests, fetches and the parts fetched), as ETF, when
    /// ``ReplicatorSettings/measuresTransfers`` is on.
    public var bytesSent = 0
}
