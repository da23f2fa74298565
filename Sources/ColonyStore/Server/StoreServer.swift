import Colony
import ColonyRaft
import ErlangTerm
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process that runs one node's replica of a store group: the shell of a ``RaftNode`` and a
/// ``StoreMachine``. A `gen_server`, registered under ``StoreSettings/serverName``.
///
/// Everything it receives (requests, Raft messages from its peers, its ticks) only feeds the Raft
/// node; the work is done by a `flush` message it posts to itself, which comes after whatever was
/// queued meanwhile: one ready per batch, so one `fdatasync` covers every write of the batch
/// (group commit).
struct StoreServer: GenServer {
    static let tag: Atom = "$colony_raft"
    static let tick: Term = .tuple([.atom(tag), "tick"])
    static let flush: Term = .tuple([.atom(tag), "flush"])

    struct Proposal {
        var term: RaftTerm
        var caller: CallerRef
        var deadline: Duration
        /// The request as the caller made it, to route again if another leader's entry takes
        /// the index (then it was certainly not applied).
        var request: Term
    }

    struct Read {
        var read: StoreRead
        var caller: CallerRef
        var deadline: Duration
    }

    struct Waiting {
        var request: Term
        var caller: CallerRef
        var deadline: Duration
        var hops: Int
    }

    let settings: StoreSettings
    let me: Atom
    let hub: StoreHub
    var raft: RaftNode
    let storage: RaftDiskStorage?
    let clock = ContinuousClock()
    let started: ContinuousClock.Instant
    var proposals: [LogIndex: Proposal] = [:]
    var reads: [UInt64: Read] = [:]
    var confirmedReads: [(index: LogIndex, id: UInt64)] = []
    var waiting: [Waiting] = []
    var nextRead: UInt64 = 1
    var flushPosted = false
    var nextExpiry: Duration = .zero
    /// Learners the leader promotes to voters once they have caught up.
    var promotions: Set<RaftServerID> = []
    /// When a connection to each unconnected peer was last tried.
    var connectAttempts: [Atom: Duration] = [:]
    let logger = Logger(label: "colony.store")

    init(settings: StoreSettings, node: Node, hub: StoreHub) throws {
        self.settings = settings
        me = node.name
        self.hub = hub
        started = clock.now
        var recovered = RaftDiskStorage.Recovered(hardState: HardState(), snapshot: nil, entries: [], discardedBytes: 0)
        if settings.kind == .disc {
            guard let directory = settings.directory else {
                throw StoreError.unexpected("no directory for a disc copy")
            }
            let storage = try RaftDiskStorage(directory: directory)
            recovered = try storage.recover()
            if recovered.discardedBytes > 0 {
                logger.warning("store \(settings.group): cut \(recovered.discardedBytes) torn bytes from the log's end")
            }
            self.storage = storage
        } else {
            // A copy in memory forgets its votes and log when it restarts: it must never vote.
            guard !settings.voters.contains(node.name) else {
                throw StoreError.unexpected("a ram copy cannot be one of the voters")
            }
            storage = nil
        }
        var machine = try recovered.snapshot.map { try StoreMachine(snapshot: $0.data) } ?? StoreMachine()
        machine.recordsChanges = true
        hub.machine.withLock { $0 = machine }
        let bootstrap = RaftConfiguration(voters: Set(settings.voters.map { RaftServerID($0.name) }))
        raft = RaftNode(
            id: RaftServerID(node.name.name), bootstrap: bootstrap, hardState: recovered.hardState,
            snapshot: recovered.snapshot, entries: recovered.entries, settings: settings.raft,
            seed: UInt64.random(in: 0...UInt64.max), now: .zero)
    }

    var now: Duration { clock.now - started }

    /// Wall-clock milliseconds since 1970 (expiry is judged by it).
    static func wallClock() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    // MARK: - GenServer

    mutating func initialize(process: ProcessContext) async throws -> GenServerStart {
        process.node.watchNodes(process.pid)
        process.node.sendAfter(settings.tickInterval, Self.tick, to: process.pid)
        publishStatus()
        return .ready
    }

    mutating func handleCall(_ request: Term, from: CallerRef, process: ProcessContext) async throws -> CallResult {
        await route(request, from: from, hops: 0, deadline: now + settings.requestTimeout, process: process)
        await flushSoon(process)
        return .noReply
    }

    mutating func handleInfo(_ message: Term, process: ProcessContext) async throws -> GenServerAction {
        guard case .tuple(let parts) = message, let kind = parts.first?.atomValue else { return .noReply }
        switch kind {
        case Self.tag where parts.count == 4:
            // {'$colony_raft', Group, From, Bytes}: a peer's Raft message.
            guard parts[1].stringValue == settings.group, case .atom(let sender) = parts[2],
                case .binary(let bytes) = parts[3]
            else { return .noReply }
            do {
                raft.receive(try RaftCodec.decodeMessage(bytes), from: RaftServerID(sender.name), now: now)
            } catch {
                logger.warning("store \(settings.group): a message from \(sender) does not decode: \(error)")
                return .noReply
            }
            await flushSoon(process)
        case Self.tag where parts.count == 2 && parts[1] == "tick":
            process.node.sendAfter(settings.tickInterval, Self.tick, to: process.pid)
            raft.tick(now: now)
            await onTick(process)
            try await performReady(process)
            publishStatus()
        case Self.tag where parts.count == 2 && parts[1] == "flush":
            flushPosted = false
            try await performReady(process)
        case "nodedown" where parts.count >= 2:
            if case .atom(let peer) = parts[1] { raft.unreachable(RaftServerID(peer.name)) }
        default:
            break
        }
        return .noReply
    }

    mutating func terminate(reason: Term, process: ProcessContext) async {
        hub.finish()
    }

    mutating func flushSoon(_ process: ProcessContext) async {
        guard !flushPosted else { return }
        flushPosted = true
        process.node.post(Self.flush, to: process.pid)
    }

    /// What the clock drives besides Raft: expiry, promotions, requests that waited too long.
    mutating func onTick(_ process: ProcessContext) async {
        if raft.role == .leader {
            if now >= nextExpiry, hub.machine.withLock({ $0.expiringCount }) > 0 {
                nextExpiry = now + settings.expiryInterval
                _ = raft.propose(try! ETF.encode(StoreCommand.expire(now: Self.wallClock()).term), now: now)
            }
            for learner in promotions {
                guard let match = raft.matchIndexes[learner], match >= raft.commitIndex else { continue }
                if case .accepted = raft.changeConfiguration(.addVoter(learner), now: now) {
                    promotions.remove(learner)
                }
            }
        }
        let current = now
        for (index, proposal) in proposals where proposal.deadline <= current {
            proposals[index] = nil
            await process.reply(to: proposal.caller, Self.noQuorum)
        }
        for (id, read) in reads where read.deadline <= current {
            reads[id] = nil
            await process.reply(to: read.caller, Self.noQuorum)
        }
        let retry = waiting
        waiting = []
        for request in retry {
            if request.deadline <= current {
                await process.reply(to: request.caller, Self.noQuorum)
            } else if raft.leader != nil {
                await route(
                    request.request, from: request.caller, hops: request.hops, deadline: request.deadline,
                    process: process)
            } else {
                waiting.append(request)
            }
        }
    }

    static let noQuorum: Term = .tuple(["error", "no_quorum"])
}
