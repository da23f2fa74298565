public import Colony
public import ErlangTerm
import Logging
public import Synchronization

/// Replicated data on a node: keyed CRDT values that every node running a replicator of the same
/// name holds, updated locally without coordination and merged everywhere, with reads and writes
/// at a chosen consistency level. The shell of ``ReplicatorState``.
///
/// A local update applies at once under a lock (no message round trip) and its delta goes to the
/// connected peers right after, merged with whatever else was updated meanwhile. Every gossip
/// interval each replicator asks its peers for what changed since it last asked, which repairs
/// lost deltas, partitions and restarts by sending only the parts that changed.
public final class Replicator: Sendable {
    /// The node.
    public let node: Node
    /// The replicator's settings.
    public let settings: ReplicatorSettings
    /// The replicator's process, registered under ``ReplicatorSettings/name``.
    public let pid: PID
    /// Who this node's updates are made by.
    public let replica: ReplicaID

    @usableFromInline let machine: Mutex<ReplicatorState>
    private let requests = Mutex<Requests>(Requests())
    private let subscribers = Mutex<[String: [Int: @Sendable (any ReplicatedData) -> Void]]>([:])
    private let nextSubscriber = Atomic<Int>(0)
    /// How many subscriptions are open: an update looks no further when there are none.
    private let subscriptionCount = Atomic<Int>(0)
    private let flushPosted = Atomic<Bool>(false)
    private let transferBytes = Atomic<Int>(0)
    private let durable: DurableStore?
    private let logger: Logger

    private struct Requests {
        enum Kind {
            case write(WireEntry, Consistency)
            case read(String, Consistency)
        }

        struct Waiter {
            let kind: Kind
            let timeout: Duration
            let continuation: CheckedContinuation<Void, any Error>
        }

        var next = 0
        var waiting: [Int: Waiter] = [:]
        var stopped = false
    }

    private static let tag: Atom = "$colony_ddata"
    private static let stopMessage: Term = .tuple([.atom(tag), "stop"])
    private static let tickMessage: Term = .tuple([.atom(tag), "tick"])
    private static let flushMessage: Term = .tuple([.atom(tag), "flush"])

    private init(
        node: Node, settings: ReplicatorSettings, pid: PID, state: ReplicatorState, durable: DurableStore?
    ) {
        self.node = node
        self.settings = settings
        self.pid = pid
        replica = state.replica
        machine = Mutex(state)
        self.durable = durable
        logger = Logger(label: "colony.ddata")
    }

    /// Starts a replicator on `node`, registered under the settings' name, and introduces it to
    /// the replicators of the connected nodes.
    public static func start(on node: Node, settings: ReplicatorSettings = ReplicatorSettings()) async throws
        -> Replicator
    {
        let incarnation = settings.incarnation ?? UInt64.random(in: 1..<(1 << 62))
        var state = ReplicatorState(
            me: node.name, incarnation: incarnation, settings: settings,
            seed: settings.seed ?? UInt64.random(in: 0...UInt64.max))
        let logger = Logger(label: "colony.ddata")
        var store: DurableStore?
        if let durable = settings.durable {
            let opened = try DurableStore(path: durable.path)
            let (entries, unreadable) = try opened.load()
            for key in unreadable { logger.error("ddata: the stored state of \(key) does not decode; it is skipped") }
            for case .warning(let text) in state.restore(entries) { logger.warning("ddata: \(text)") }
            logger.info("ddata: \(entries.count) durable keys read from \(durable.path)")
            store = opened
        }
        let box = Mutex<Replicator?>(nil)
        let pid = node.spawnReactor(initial: ()) { _, message, process in
            let replicator = box.withLock { $0 }
            if message == Self.stopMessage {
                await replicator?.persist()
                return .stop("shutdown")
            }
            guard let replicator else { return .continue }
            await replicator.handle(message, process: process)
            return .continue
        }
        let replicator = Replicator(node: node, settings: settings, pid: pid, state: state, durable: store)
        box.withLock { $0 = replicator }
        guard node.register(settings.name, pid: pid) else {
            await node.send(stopMessage, to: pid)
            throw ReplicatorStartError.nameTaken(settings.name)
        }
        replicator.registerFunctions()
        node.watchNodes(pid)
        await node.send(.tuple([.atom(tag), "started"]), to: pid)
        node.sendAfter(settings.gossipInterval, tickMessage, to: pid)
        return replicator
    }

    /// Stops the replicator and waits (up to 5 s) for its process to end, durable keys written;
    /// requests still waiting fail with ``ReplicatorError/stopped`` and subscriptions end.
    public func stop() async {
        ReplicatorTable.shared.remove(self)
        node.watchNodes(pid, false)
        let replicator = pid
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            node.spawn { process in
                defer { done.resume() }
                let reference = await process.monitor(replicator)
                await process.send(Self.stopMessage, to: replicator)
                _ = try await process.receive(timeout: .seconds(5)) { message -> Bool? in
                    guard case .tuple(let t) = message, t.count == 5, t[0] == "DOWN", t[1] == .reference(reference)
                    else { return nil }
                    return true
                }
            }
        }
        let waiters = requests.withLock { state in
            defer {
                state.waiting = [:]
                state.stopped = true
            }
            return Array(state.waiting.values)
        }
        for waiter in waiters { waiter.continuation.resume(throwing: ReplicatorError.stopped) }
        subscribers.withLock { $0 = [:] }
        subscriptionCount.store(0, ordering: .relaxed)
    }

    // MARK: - Reads and writes

    /// Updates `key`'s value: `mutate` changes it in place and returns the delta (every mutator
    /// of Colony's types returns its delta), on behalf of this node's replica. The key is created
    /// with an empty value on first use.
    ///
    /// With `.local` consistency this returns once the update is applied here; otherwise once
    /// enough replicas merged it, or throws ``ReplicatorError/timeout(key:answered:needed:)`` or
    /// ``ReplicatorError/unreachable(key:connected:needed:)``, in which case the update was still
    /// applied here and spreads in the background.
    @inlinable
    public func update<Value: ReplicatedData>(
        _ key: DataKey<Value>, consistency: Consistency = .local, timeout: Duration = .seconds(5),
        _ mutate: (inout Value, ReplicaID) throws -> Value
    ) async throws {
        let delta = try machine.withLock { try $0.update(key, mutate) }
        updated(key.id)
        guard consistency != .local else { return }
        try await write(key, delta, consistency: consistency, timeout: timeout)
    }

    /// Tells subscribers, and has the delta pushed.
    @usableFromInline
    func updated(_ key: String) {
        notify(key)
        postFlush()
    }

    /// Sends a local update's delta to the peers and waits for `consistency`'s acknowledgements.
    @usableFromInline
    func write<Value: ReplicatedData>(
        _ key: DataKey<Value>, _ delta: Value, consistency: Consistency, timeout: Duration
    ) async throws {
        let typeName = ReplicatedTypes.name(of: Value.self)
        let entry = WireEntry(key: key.id, content: .value(type: typeName, state: try DataCoding.encoder.encode(delta)))
        try await request(.write(entry, consistency), timeout: timeout)
    }

    /// `key`'s value, `nil` when no replica asked has it. With a consistency level above
    /// `.local`, the other replicas' values are merged in first (and kept here).
    public func get<Value: ReplicatedData>(
        _ key: DataKey<Value>, consistency: Consistency = .local, timeout: Duration = .seconds(5)
    ) async throws -> Value? {
        if consistency != .local { try await request(.read(key.id, consistency), timeout: timeout) }
        return try machine.withLock { state throws(ReplicatorError) in try state.value(key) }
    }

    /// Deletes `key` everywhere, for good: it cannot be updated again, and reads throw
    /// ``ReplicatorError/deleted(key:)``.
    public func delete<Value: ReplicatedData>(
        _ key: DataKey<Value>, consistency: Consistency = .local, timeout: Duration = .seconds(5)
    ) async throws {
        let entry = machine.withLock { $0.delete(key.id).entry }
        notify(key.id)
        postFlush()
        guard consistency != .local else { return }
        try await request(.write(entry, consistency), timeout: timeout)
    }

    /// The value of `key` each time it changes, here or by merging a peer's update; the current
    /// value first when there is one. A slow reader sees the latest value, not every one.
    public func changes<Value: ReplicatedData>(_ key: DataKey<Value>) -> AsyncStream<Value> {
        let (stream, continuation) = AsyncStream<Value>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = nextSubscriber.wrappingAdd(1, ordering: .relaxed).oldValue
        subscribers.withLock { all in
            all[key.id, default: [:]][id] = { value in
                if let typed = value as? Value { continuation.yield(typed) }
            }
        }
        subscriptionCount.add(1, ordering: .relaxed)
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            if subscribers.withLock({ $0[key.id]?.removeValue(forKey: id) }) != nil {
                subscriptionCount.subtract(1, ordering: .relaxed)
            }
        }
        if let current = try? machine.withLock({ state throws(ReplicatorError) in try state.value(key) }) {
            continuation.yield(current)
        }
        return stream
    }

    /// The keys held here (deleted ones excluded), sorted.
    public var keys: [String] {
        machine.withLock { state in
            state.entries.compactMap { key, entry in
                if case .live = entry { return key }
                return nil
            }.sorted()
        }
    }

    /// The nodes whose replicators this one knows, with whether each is connected.
    public var peers: [Atom: Bool] { machine.withLock { $0.peers.mapValues(\.connected) } }

    /// Counts of this replicator's traffic since it started.
    public var statistics: ReplicatorStatistics {
        var statistics = machine.withLock { $0.statistics }
        statistics.bytesSent = transferBytes.load(ordering: .relaxed)
        return statistics
    }

    /// Stops counting `node` as a replica for `majority` and `all` (a node that left for good).
    public func forget(_ node: Atom) { machine.withLock { $0.forget(node) } }

    // MARK: - The process

    private func request(_ kind: Requests.Kind, timeout: Duration) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let id = requests.withLock { state -> Int? in
                guard !state.stopped else { return nil }
                defer { state.next += 1 }
                state.waiting[state.next] = Requests.Waiter(kind: kind, timeout: timeout, continuation: continuation)
                return state.next
            }
            guard let id else { return continuation.resume(throwing: ReplicatorError.stopped) }
            if !node.post(.tuple([.atom(Self.tag), "start", .integer(id)]), to: pid) {
                complete(id, .stopped)
            }
        }
    }

    private func complete(_ id: Int, _ error: ReplicatorError?) {
        guard let waiter = requests.withLock({ $0.waiting.removeValue(forKey: id) }) else { return }
        if let error { waiter.continuation.resume(throwing: error) } else { waiter.continuation.resume() }
    }

    private func postFlush() {
        guard flushPosted.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        if settings.deltaInterval > .zero {
            node.sendAfter(settings.deltaInterval, Self.flushMessage, to: pid)
        } else {
            node.post(Self.flushMessage, to: pid)
        }
    }

    private func notify(_ key: String) {
        guard subscriptionCount.load(ordering: .relaxed) > 0 else { return }
        let listeners = subscribers.withLock { $0[key].map { Array($0.values) } ?? [] }
        guard !listeners.isEmpty, let value = machine.withLock({ $0.anyValue(key) }) else { return }
        for listener in listeners { listener(value) }
    }

    private func handle(_ message: Term, process: ProcessContext) async {
        var effects: [ReplicatorState.Effect] = []
        if ReplicatorMessage.isReplicatorMessage(message) {
            effects = machine.withLock { $0.receive(message) }
        } else if case .tuple(let t) = message, t.first == .atom(Self.tag), t.count >= 2 {
            effects = handleLocal(t)
        } else if case .tuple(let t) = message, t.count == 3, t[0] == "nodeup", case .atom(let peer) = t[1] {
            effects = machine.withLock { $0.nodeUp(peer) }
        } else if case .tuple(let t) = message, t.count == 3, t[0] == "nodedown", case .atom(let peer) = t[1] {
            machine.withLock { $0.nodeDown(peer) }
        }
        // Deltas of local updates go out before whatever else this message makes the replicator
        // send, so a peer never hears an acknowledgement-awaiting write ahead of older deltas.
        if flushPosted.exchange(false, ordering: .acquiringAndReleasing) || machine.withLock({ $0.hasOutbound }) {
            effects = machine.withLock { $0.flush() } + effects
        }
        await perform(effects, process: process)
        await persist()
    }

    /// Writes the durable keys changed since the last write, in one transaction; the replicator
    /// handles its next message after that, so batches reach the disk in order.
    private func persist() async {
        guard let durable, let keys = settings.durable?.keys else { return }
        let (entries, since) = machine.withLock { $0.durableChanges(keys) }
        guard !entries.isEmpty else { return }
        do {
            try await durable.save(entries)
        } catch {
            logger.error("ddata: writing \(entries.count) durable keys failed: \(error)")
            machine.withLock { $0.retryDurable(from: since) }
        }
    }

    private func handleLocal(_ t: [Term]) -> [ReplicatorState.Effect] {
        switch t[1] {
        case "started":
            let connected = node.nodes()
            return machine.withLock { $0.started(connected: connected) }
        case "tick":
            node.sendAfter(settings.gossipInterval, Self.tickMessage, to: pid)
            return machine.withLock { $0.tick() }
        case "start":
            guard t.count == 3, case .integer(let id) = t[2],
                let waiter = requests.withLock({ $0.waiting[id] })
            else { return [] }
            let effects = machine.withLock { state -> [ReplicatorState.Effect] in
                switch waiter.kind {
                case .write(let entry, let level): state.startWrite(id: id, entry: entry, level: level)
                case .read(let key, let level): state.startRead(id: id, key: key, level: level)
                }
            }
            if !effects.contains(where: { if case .completed = $0 { true } else { false } }) {
                node.sendAfter(waiter.timeout, .tuple([.atom(Self.tag), "timeout", .integer(id)]), to: pid)
            }
            return effects
        case "timeout":
            guard t.count == 3, case .integer(let id) = t[2] else { return [] }
            return machine.withLock { $0.timeout(id) }
        default:
            return []
        }
    }

    private func perform(_ effects: [ReplicatorState.Effect], process: ProcessContext) async {
        for effect in effects {
            switch effect {
            case .send(let message, let peer):
                let term = message.term
                if settings.measuresTransfers, message.isAntiEntropy, let bytes = try? ETF.encode(term) {
                    transferBytes.add(bytes.count, ordering: .relaxed)
                }
                await process.send(term, to: settings.name, on: peer)
            case .changed(let key):
                notify(key)
            case .completed(let id, let error):
                complete(id, error)
            case .warning(let text):
                logger.warning("\(text)")
            }
        }
    }
}

/// Why a replicator did not start.
public enum ReplicatorStartError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The name is registered to another process.
    case nameTaken(Atom)

    public var description: String {
        switch self {
        case .nameTaken(let name): "the name \(name) is already registered"
        }
    }
}
