import Colony
import ColonyRaft
import ErlangTerm

/// Requests, as the `gen_server` calls that ``Store`` and `colony_store` make:
///
/// - `{propose, Command}`: a ``StoreCommand`` whose expiry fields are TTLs in milliseconds; the
///   leader turns them into times by its clock. Answered when the entry applies.
/// - `{read, Read}`: a ``StoreRead``, linearizable (answered by the leader after a heartbeat
///   round confirmed it, once it has applied that far).
/// - `{dirty, Read}`: a ``StoreRead`` on this replica's state, at once.
/// - `{add_member, Node, disc | ram}`, `{remove_member, Node}`, `{transfer_leader, Node}`.
/// - `status`.
///
/// A replica that is not the leader forwards the call to the leader it knows, wrapped in
/// `{forwarded, Hops, Request}` so a loop of stale views ends; the leader answers the caller
/// directly. Without a leader the request waits (up to the request timeout).
extension StoreServer {
    mutating func route(_ request: Term, from caller: CallerRef, hops: Int, deadline: Duration, process: ProcessContext)
        async
    {
        if case .tuple(let parts) = request, parts.count == 3, parts[0] == "forwarded",
            case .integer(let count) = parts[1], count >= 0
        {
            await route(parts[2], from: caller, hops: count, deadline: deadline, process: process)
            return
        }
        guard case .tuple(let parts) = request, let kind = parts.first?.atomValue else {
            if request == "status" {
                await process.reply(to: caller, statusTerm())
            } else {
                await process.reply(to: caller, .tuple(["error", "badarg"]))
            }
            return
        }
        switch (kind, parts.count) {
        case ("dirty", 2):
            guard let read = StoreRead(parts[1]) else { return await process.reply(to: caller, Self.badarg) }
            let answer = hub.machine.withLock { $0.evaluate(read, now: Self.wallClock()) }
            await process.reply(to: caller, answer)
            return
        case ("propose", 2), ("read", 2), ("add_member", 3), ("remove_member", 2), ("transfer_leader", 2):
            break
        default:
            await process.reply(to: caller, Self.badarg)
            return
        }
        guard raft.role == .leader else {
            guard raft.configuration.members.contains(RaftServerID(me.name)) || raft.configuration.members.isEmpty
            else {
                // Removed from the group: no leader will tell this server anything again. The
                // caller's store asks its own replica again, which knows better.
                await process.reply(to: caller, .tuple(["error", "not_member"]))
                return
            }
            await forward(request, from: caller, hops: hops, deadline: deadline, process: process)
            return
        }
        switch kind {
        case "propose":
            guard let command = StoreCommand(parts[1]) else { return await process.reply(to: caller, Self.badarg) }
            guard let stamped = Self.stamp(command, now: Self.wallClock()), let bytes = try? ETF.encode(stamped.term)
            else { return await process.reply(to: caller, Self.badarg) }
            await answer(
                raft.propose(bytes, now: now), request: request, caller: caller, deadline: deadline, process: process)
        case "read":
            guard let read = StoreRead(parts[1]) else { return await process.reply(to: caller, Self.badarg) }
            let id = nextRead
            nextRead += 1
            reads[id] = Read(read: read, caller: caller, deadline: deadline)
            raft.read(id, now: now)
        case "add_member":
            guard case .atom(let node) = parts[1],
                let copy = parts[2].atomValue.flatMap({ CopyKind(rawValue: $0.name) })
            else { return await process.reply(to: caller, Self.badarg) }
            let server = RaftServerID(node.name)
            if copy == .disc { promotions.insert(server) }
            let result = raft.changeConfiguration(.addLearner(server), now: now)
            if case .rejected(.unchanged) = result {
                await process.reply(to: caller, "ok")
            } else {
                await answer(result, request: request, caller: caller, deadline: deadline, process: process)
            }
        case "remove_member":
            guard case .atom(let node) = parts[1] else { return await process.reply(to: caller, Self.badarg) }
            promotions.remove(RaftServerID(node.name))
            let result = raft.changeConfiguration(.remove(RaftServerID(node.name)), now: now)
            if case .rejected(.unchanged) = result {
                await process.reply(to: caller, "ok")
            } else {
                await answer(result, request: request, caller: caller, deadline: deadline, process: process)
            }
        case "transfer_leader":
            guard case .atom(let node) = parts[1] else { return await process.reply(to: caller, Self.badarg) }
            let started = raft.transferLeadership(to: RaftServerID(node.name), now: now)
            await process.reply(to: caller, started ? "ok" : .tuple(["error", "not_a_voter"]))
        default:
            break
        }
    }

    static let badarg: Term = .tuple(["error", "badarg"])

    /// What a proposal's fate means for its caller.
    mutating func answer(
        _ result: ProposeResult, request: Term, caller: CallerRef, deadline: Duration, process: ProcessContext
    ) async {
        switch result {
        case .accepted(let index, let term):
            if let earlier = proposals.updateValue(
                Proposal(term: term, caller: caller, deadline: deadline, request: request), forKey: index)
            {
                // A new term reused the index of a proposal whose entry was truncated away.
                waiting.append(
                    Waiting(request: earlier.request, caller: earlier.caller, deadline: earlier.deadline, hops: 0))
            }
        case .rejected(.overloaded):
            await process.reply(to: caller, .tuple(["error", "overloaded"]))
        case .rejected(.unchanged):
            await process.reply(to: caller, "ok")
        case .rejected(.noVotersLeft):
            await process.reply(to: caller, .tuple(["error", "no_voters_left"]))
        case .rejected(.notCaughtUp):
            await process.reply(to: caller, .tuple(["error", "not_caught_up"]))
        case .rejected(.notLeader), .rejected(.transferring), .rejected(.configurationChangePending):
            waiting.append(Waiting(request: request, caller: caller, deadline: deadline, hops: 0))
        }
    }

    /// Sends the call on to the leader, or keeps it until one is known.
    mutating func forward(
        _ request: Term, from caller: CallerRef, hops: Int, deadline: Duration, process: ProcessContext
    )
        async
    {
        guard let leader = raft.leader, leader.name != me.name, hops < 3 else {
            waiting.append(Waiting(request: request, caller: caller, deadline: deadline, hops: hops))
            return
        }
        let call: Term = .tuple([
            "$gen_call", caller.term, .tuple(["forwarded", .integer(hops + 1), request]),
        ])
        let target = Atom(leader.name)
        if await !process.sendIfConnected(call, to: settings.serverName, on: target) {
            // Not waiting here for a connection: the request waits for a leader this server can
            // reach, and the connection is made aside.
            waiting.append(Waiting(request: request, caller: caller, deadline: deadline, hops: hops))
            connectAside(to: target, process: process)
        }
    }

    /// The longest TTL taken: about a hundred years, in milliseconds.
    static let maximumTTL: Int64 = 100 * 366 * 86_400_000

    /// `command` with its TTLs turned into expiry times by `now`, and compare-and-set judged at
    /// `now`; `nil` when a TTL is not between 1 ms and ``maximumTTL``.
    static func stamp(_ command: StoreCommand, now: Int64) -> StoreCommand? {
        func valid(_ ttl: Int64?) -> Bool { ttl.map { $0 > 0 && $0 <= maximumTTL } ?? true }
        func stamp(_ write: StoreWrite) -> StoreWrite {
            guard case .put(let table, let key, let value, let ttl?) = write else { return write }
            return .put(table: table, key: key, value: value, expiresAt: now + ttl)
        }
        switch command {
        case .write(.put(_, _, _, let ttl)) where !valid(ttl): return nil
        case .compareAndSet(_, _, _, _, let ttl, _) where !valid(ttl): return nil
        case .transaction(_, let writes):
            for case .put(_, _, _, let ttl) in writes where !valid(ttl) { return nil }
        default: break
        }
        switch command {
        case .write(let write):
            return .write(stamp(write))
        case .compareAndSet(let table, let key, let expected, let new, let ttl, _):
            return .compareAndSet(
                table: table, key: key, expected: expected, new: new, expiresAt: ttl.map { now + $0 }, now: now)
        case .transaction(let checks, let writes):
            return .transaction(checks: checks, writes: writes.map(stamp))
        case .expire:
            return .expire(now: now)
        case .createTable, .deleteTable:
            return command
        }
    }
}
