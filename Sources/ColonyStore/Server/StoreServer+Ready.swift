import Colony
import ColonyRaft
import ErlangTerm
import NIOPosix

extension StoreServer {
    /// Does what Raft asks, in its order: store (one sync), send, apply and answer; then
    /// snapshots when the log has grown enough.
    mutating func performReady(_ process: ProcessContext) async throws {
        var changed = false
        while raft.hasReady {
            changed = true
            let ready = raft.ready()
            // A leader's appends may go before its own write (Ongaro's thesis, 10.2.1): the
            // followers' writes then run while the leader's does, and the leader counts itself
            // toward a commit only once its own is done. Every other message (votes, answers)
            // speaks for what this server stored, so it waits for the write.
            let (early, late) = ready.messages.partitioned { envelope in
                switch envelope.message {
                case .appendEntries, .installSnapshot: true
                default: false
                }
            }
            await send(early, process: process)
            if let storage, ready.needsStorage {
                // On a thread of the I/O pool: a scheduler thread never sleeps in fdatasync. The
                // server handles nothing else meanwhile (its messages wait in its mailbox), so
                // the order of writes and sends stays as Raft asks.
                try await NIOThreadPool.singleton.runIfActive { try storage.write(ready) }
            }
            await send(late, process: process)
            if let snapshot = ready.snapshot {
                var restored = try StoreMachine(snapshot: snapshot.data)
                restored.recordsChanges = true
                hub.machine.withLock { $0 = restored }
            }
            for entry in ready.committed { await apply(entry, process: process) }
            for result in ready.reads { await answerRead(result, process: process) }
            raft.advance(ready)
            for event in ready.events {
                if case .leaderChanged(let leader, _) = event, leader != nil { await retryWaiting(process) }
            }
            if !ready.events.isEmpty { publishStatus() }
        }
        await answerConfirmedReads(process)
        if changed { try compactIfDue() }
    }

    mutating func send(_ envelopes: [RaftEnvelope], process: ProcessContext) async {
        for envelope in envelopes {
            let message: Term = .tuple([
                .atom(Self.tag), .string(settings.group), .atom(me), .binary(RaftCodec.encode(envelope.message)),
            ])
            let peer = Atom(envelope.to.name)
            if await !process.sendIfConnected(message, to: settings.serverName, on: peer) {
                // Raft repairs a lost message; waiting here for a connection would stall the
                // whole group behind one unreachable peer. Connect aside, now and then.
                connectAside(to: peer, process: process)
            }
        }
    }

    mutating func connectAside(to peer: Atom, process: ProcessContext) {
        let current = now
        if let last = connectAttempts[peer], current - last < settings.raft.electionTimeout { return }
        connectAttempts[peer] = current
        let node = process.node
        node.spawn { _ in _ = await node.connect(to: peer) }
    }

    mutating func apply(_ entry: LogEntry, process: ProcessContext) async {
        var result: Term = "ok"
        if case .command(let bytes) = entry.payload {
            let command = (try? ETF.decode(bytes)).flatMap(StoreCommand.init)
            let changes = hub.machine.withLock { machine -> [StoreChange] in
                guard let command else { return [] }
                result = machine.apply(command, index: entry.index)
                defer { machine.changes = [] }
                return hub.hasSubscribers ? machine.changes : []
            }
            if command == nil { result = Self.badarg }
            hub.publish(changes)
        }
        guard let proposal = proposals.removeValue(forKey: entry.index) else { return }
        guard proposal.term == entry.term else {
            // Another leader's entry took the index: the proposal was certainly not applied, so it
            // goes to the leader again (until its deadline) instead of failing.
            waiting.append(
                Waiting(request: proposal.request, caller: proposal.caller, deadline: proposal.deadline, hops: 0))
            return
        }
        await process.reply(to: proposal.caller, result)
    }

    mutating func answerRead(_ result: RaftReadResult, process: ProcessContext) async {
        switch result {
        case .ready(let id, let index):
            confirmedReads.append((index, id))
        case .failed(let id, _):
            guard let read = reads.removeValue(forKey: id) else { return }
            // Leadership moved: the read goes to the new leader, or waits for one.
            waiting.append(
                Waiting(
                    request: .tuple(["read", read.read.term]), caller: read.caller, deadline: read.deadline, hops: 0))
        }
    }

    /// Reads confirmed by a heartbeat round, answered once this replica applied their index.
    mutating func answerConfirmedReads(_ process: ProcessContext) async {
        guard !confirmedReads.isEmpty else { return }
        let applied = raft.appliedIndex
        let wall = Self.wallClock()
        var remaining: [(index: LogIndex, id: UInt64)] = []
        for (index, id) in confirmedReads {
            guard index <= applied else {
                remaining.append((index, id))
                continue
            }
            guard let read = reads.removeValue(forKey: id) else { continue }
            let answer = hub.machine.withLock { $0.evaluate(read.read, now: wall) }
            await process.reply(to: read.caller, answer)
        }
        confirmedReads = remaining
    }

    mutating func retryWaiting(_ process: ProcessContext) async {
        let retry = waiting
        waiting = []
        for request in retry {
            await route(
                request.request, from: request.caller, hops: request.hops, deadline: request.deadline, process: process)
        }
    }

    /// Snapshots the tables and compacts the log every ``StoreSettings/snapshotEvery`` entries.
    mutating func compactIfDue() throws {
        let applied = raft.appliedIndex
        guard applied >= raft.snapshotIndex + LogIndex(settings.snapshotEvery) else { return }
        let data = try hub.machine.withLock { try $0.snapshot() }
        guard let snapshot = raft.compact(through: applied, data: data), let storage else { return }
        try storage.compact(snapshot: snapshot, keeping: raft.entries(from: applied + 1, through: raft.stableIndex))
    }

    func publishStatus() {
        let configuration = raft.configuration
        var status = StoreStatus(node: me.name)
        status.role = raft.role
        status.term = raft.term
        status.leader = raft.leader?.name
        status.commitIndex = raft.commitIndex
        status.appliedIndex = raft.appliedIndex
        status.lastIndex = raft.lastIndex
        status.voters = configuration.voters.map(\.name).sorted()
        status.learners = configuration.learners.map(\.name).sorted()
        status.matchIndexes = Dictionary(uniqueKeysWithValues: raft.matchIndexes.map { ($0.key.name, $0.value) })
        status.tables = hub.machine.withLock { $0.counts }
        status.syncs = storage?.syncCount ?? 0
        hub.status.withLock { $0 = status }
    }

    func statusTerm() -> Term {
        let status = hub.status.withLock { $0 }
        return .map(
            TermMap([
                (.atom("node"), .atom(Atom(status.node))),
                (.atom("role"), .atom(Atom(status.role.rawValue))),
                (.atom("term"), .integer(Int(status.term))),
                (.atom("leader"), status.leader.map { .atom(Atom($0)) } ?? "undefined"),
                (.atom("commit_index"), .integer(Int(status.commitIndex))),
                (.atom("applied_index"), .integer(Int(status.appliedIndex))),
                (.atom("voters"), .list(status.voters.map { .atom(Atom($0)) })),
                (.atom("learners"), .list(status.learners.map { .atom(Atom($0)) })),
                (
                    .atom("tables"),
                    .map(
                        TermMap(status.tables.sorted { $0.key < $1.key }.map { (.string($0.key), .integer($0.value)) }))
                ),
            ]))
    }
}

extension Array {
    /// The elements that satisfy `belongs`, and the others, each in order.
    func partitioned(by belongs: (Element) -> Bool) -> ([Element], [Element]) {
        var yes: [Element] = []
        var no: [Element] = []
        for element in self {
            if belongs(element) { yes.append(element) } else { no.append(element) }
        }
        return (yes, no)
    }
}
