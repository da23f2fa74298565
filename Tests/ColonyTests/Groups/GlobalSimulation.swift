import Colony
import ErlangTerm

@testable import ColonyGroups

/// N name servers (``GlobalServerState`` with ``GlobalLockerState``) on a simulated network: FIFO
/// per ordered pair of nodes, deliveries in a seeded random order across pairs, connections made
/// and cut at will, timers on a virtual clock. Registrations are applied to every node of one side
/// at once (as a registrar's `multi_call` under global's lock would), so that the connect protocol
/// (locking, exchange, resolution, `new_nodes`, `in_sync`) is what the simulation exercises.
struct GlobalSimulation {
    struct Envelope {
        var to: Atom
        var message: Term
    }

    struct Timer {
        var at: Duration
        var node: Atom
        var generation: Int
    }

    let nodes: [Atom]
    var servers: [Atom: GlobalServerState] = [:]
    var lockers: [Atom: GlobalLockerState] = [:]
    var watched: [Atom: Set<PID>] = [:]
    /// In flight, per (from, to).
    var queues: [String: [Envelope]] = [:]
    var connected: Set<String> = []
    var timers: [Timer] = []
    var now: Duration = .zero
    var random: SeededRandom
    var killed: Set<PID> = []
    var nextClient: UInt32 = 100
    var delivered = 0

    static func pid(_ node: Atom) -> PID { PID(node: node, id: 1, serial: 0, creation: 1) }

    init(nodes count: Int, seed: UInt64) {
        nodes = (1...count).map { Atom("n\($0)@sim") }
        random = SeededRandom(seed: seed)
        for node in nodes {
            servers[node] = GlobalServerState(
                me: node, locker: Self.pid(node), preventOverlappingPartitions: true, extendedCreation: 1)
            lockers[node] = GlobalLockerState(me: node, pid: Self.pid(node), seed: seed &+ UInt64(node.name.count))
        }
    }

    static func pair(_ a: Atom, _ b: Atom) -> String { a < b ? "\(a.name)|\(b.name)" : "\(b.name)|\(a.name)" }
    static func lane(_ from: Atom, _ to: Atom) -> String { "\(from.name)>\(to.name)" }

    func isConnected(_ a: Atom, _ b: Atom) -> Bool { a == b || connected.contains(Self.pair(a, b)) }

    mutating func enqueue(from: Atom, to: Atom, _ message: Term) {
        guard isConnected(from, to) else { return }
        queues[Self.lane(from, to), default: []].append(Envelope(to: to, message: message))
    }

    // MARK: - Connections

    mutating func connect(_ a: Atom, _ b: Atom) {
        guard a != b, !isConnected(a, b) else { return }
        connected.insert(Self.pair(a, b))
        let info: Term = .map(TermMap([(.atom("connection_id"), 1), (.atom("node_type"), "visible")]))
        enqueue(from: b, to: a, .tuple(["nodeup", .atom(b), info]))
        enqueue(from: a, to: b, .tuple(["nodeup", .atom(a), info]))
    }

    mutating func disconnect(_ a: Atom, _ b: Atom) {
        guard isConnected(a, b), a != b else { return }
        queues[Self.lane(a, b)] = nil
        queues[Self.lane(b, a)] = nil
        connected.remove(Self.pair(a, b))
        // Monitors across the connection fire, then nodedown: delivered at once, in that order.
        for (me, other) in [(a, b), (b, a)] {
            for pid in (watched[me] ?? []) where pid.node == other { down(pid, at: me) }
            handle(me, .tuple(["nodedown", .atom(other), .map(TermMap([(.atom("node_type"), "visible")]))]))
        }
    }

    /// Splits the cluster into `sides`, fully connected inside each.
    mutating func partition(_ sides: [[Atom]]) {
        for a in nodes {
            for b in nodes where a < b {
                let together = sides.contains { $0.contains(a) && $0.contains(b) }
                if together { connect(a, b) } else { disconnect(a, b) }
            }
        }
    }

    // MARK: - Registrations

    /// Registers a new process on `owner` as `name` on every node of `side`; returns the pid.
    mutating func register(_ name: Term, owner: Atom, side: [Atom]) -> PID {
        nextClient += 1
        let pid = PID(node: owner, id: nextClient, serial: 0, creation: 1)
        for node in side {
            let caller = CallerRef(pid: pid, tag: "sim")
            let directives = servers[node]!.call(
                .tuple(["register", name, .pid(pid), GlobalProtocol.randomExitName]), from: caller)
            perform(node, directives)
        }
        return pid
    }

    // MARK: - Running

    mutating func down(_ pid: PID, at node: Atom) {
        guard watched[node]?.remove(pid) != nil else { return }
        perform(node, servers[node]!.processDown(pid))
    }

    mutating func handle(_ node: Atom, _ message: Term) {
        delivered += 1
        if case .tuple(let t) = message, t.count == 2, case .tuple(let tag) = t[0], tag.count == 3,
            tag[0] == .atom(GlobalNames.callTag), case .integer(let token) = tag[1], case .atom(let peer) = tag[2]
        {
            let table = servers[node]!.table
            performLocker(
                node, lockers[node]!.replied(token: token, node: peer, reply: t[1], canSetLock: table.canSetLock))
            return
        }
        if case .tuple(let t) = message, t.count == 2, t[0] == "sim_timer", case .integer(let generation) = t[1] {
            let table = servers[node]!.table
            performLocker(
                node,
                lockers[node]!.timeout(
                    generation, canSetLock: table.canSetLock,
                    globalLockSet: table.isLockSet(GlobalProtocol.globalResource)))
            return
        }
        perform(node, servers[node]!.received(message))
        if case .tuple(let t) = message, t.count == 3, t[0] == "nodedown", case .atom(let peer) = t[1],
            case .locking(let run) = lockers[node]!.mode, run.waiting.contains(peer)
        {
            let table = servers[node]!.table
            performLocker(node, lockers[node]!.failed(token: run.token, node: peer, canSetLock: table.canSetLock))
        }
    }

    mutating func perform(_ node: Atom, _ directives: [GlobalServerState.Directive]) {
        for directive in directives {
            switch directive {
            case .cast(let to, let message): enqueue(from: node, to: to, GlobalProtocol.cast(message))
            case .send(let to, let message): enqueue(from: node, to: to, message)
            case .toSelf(let message): enqueue(from: node, to: node, message)
            case .reply(let caller, let reply):
                if caller.pid == Self.pid(caller.pid.node) {
                    enqueue(from: node, to: caller.pid.node, .tuple([caller.tag, reply]))
                }
            case .watch(let pid):
                if killed.contains(pid) || !isConnected(node, pid.node) {
                    perform(node, servers[node]!.processDown(pid))
                } else {
                    watched[node, default: []].insert(pid)
                }
            case .unwatch(let pid): watched[node]?.remove(pid)
            case .resolve(let peer, let tag, let names): resolve(node, peer: peer, tag: tag, names: names)
            case .syncOther(let other):
                if isConnected(node, other) {
                    enqueue(from: node, to: other, GlobalProtocol.cast(.tuple(["in_sync", .atom(node), "true"])))
                } else {
                    enqueue(from: node, to: node, .tuple(["extra_nodedown", .atom(other)]))
                }
            case .disconnect(let other): disconnect(node, other)
            case .locker(let message):
                let table = servers[node]!.table
                performLocker(
                    node,
                    lockers[node]!.receive(
                        message, canSetLock: table.canSetLock,
                        globalLockSet: table.isLockSet(GlobalProtocol.globalResource)))
            case .changed, .warning: break
            }
        }
    }

    mutating func performLocker(_ node: Atom, _ directives: [GlobalLockerState.Directive]) {
        for directive in directives {
            switch directive {
            case .call(let token, let to, let request):
                guard isConnected(node, to) else {
                    let table = servers[node]!.table
                    performLocker(node, lockers[node]!.failed(token: token, node: to, canSetLock: table.canSetLock))
                    continue
                }
                let tag: Term = .tuple([.atom(GlobalNames.callTag), .integer(token), .atom(to)])
                enqueue(from: node, to: to, .tuple(["$gen_call", .tuple([.pid(Self.pid(node)), tag]), request]))
            case .cast(let to, let message): enqueue(from: node, to: to, GlobalProtocol.cast(message))
            case .send(let pid, let message): enqueue(from: node, to: pid.node, message)
            case .arm(let generation, let delay):
                timers.append(Timer(at: now + delay, node: node, generation: generation))
            }
        }
    }

    /// The resolver, with OTP's default method: the process on the smaller node name stays, the
    /// other is killed (its `DOWN` reaches the nodes watching it).
    mutating func resolve(_ node: Atom, peer: Atom, tag: Int, names theirs: [GlobalName]) {
        var ops: [Term] = []
        var resolved: [Term] = []
        for entry in theirs {
            guard let mine = servers[node]!.table.names[entry.name] else {
                ops.append(.tuple(["insert", entry.term]))
                continue
            }
            guard mine.pid != entry.pid, node < peer else { continue }
            let (keep, lose) = GlobalConflictResolution.ordered(entry.pid, mine.pid)
            kill(lose)
            if keep == entry.pid {
                ops.append(.tuple(["insert", entry.term]))
            } else {
                resolved.append(.tuple(["insert", mine.term]))
            }
        }
        enqueue(
            from: node, to: node,
            GlobalProtocol.cast(.tuple(["exchange_ops", .atom(peer), .integer(tag), .list(ops), .list(resolved)])))
    }

    mutating func kill(_ pid: PID) {
        killed.insert(pid)
        for node in nodes where isConnected(node, pid.node) && watched[node]?.contains(pid) == true {
            enqueue(from: pid.node, to: node, .tuple(["DOWN", "ref", "process", .pid(pid), "killed"]))
        }
    }

    /// Delivers messages in a random order (FIFO per pair) and fires timers, until `until`.
    mutating func run(until deadline: Duration, maxDeliveries: Int = 200_000) {
        var budget = maxDeliveries
        while budget > 0 {
            budget -= 1
            let lanes = queues.filter { !$0.value.isEmpty }.keys.sorted()
            if !lanes.isEmpty {
                let lane = lanes[Int(random.next() % UInt64(lanes.count))]
                let envelope = queues[lane]!.removeFirst()
                if case .tuple(let t) = envelope.message, t.count == 5, t[0] == "DOWN", case .pid(let pid) = t[3] {
                    down(pid, at: envelope.to)
                } else {
                    handle(envelope.to, envelope.message)
                }
                continue
            }
            guard let next = timers.min(by: { $0.at < $1.at }), next.at <= deadline else { return }
            timers.removeAll { $0.at == next.at && $0.node == next.node && $0.generation == next.generation }
            now = max(now, next.at)
            handle(next.node, .tuple(["sim_timer", .integer(next.generation)]))
        }
    }

    // MARK: - Checks

    /// What is wrong with `side` after quiescence: every node knows and is synced with every
    /// other, no session is left, and all hold one table, with live owners.
    func problems(in side: [Atom]) -> [String] {
        var problems: [String] = []
        let reference = servers[side[0]]!.table.all
        for node in side {
            let server = servers[node]!
            let others = Set(side).subtracting([node])
            if Set(server.knownNodes) != others { problems.append("\(node) knows \(server.knownNodes)") }
            if !others.isSubset(of: Set(server.synced)) { problems.append("\(node) synced \(server.synced)") }
            if !server.sessions.isEmpty { problems.append("\(node) sessions \(server.sessions.keys)") }
            if server.table.all != reference { problems.append("\(node) names \(server.table.all) vs \(reference)") }
            for entry in server.table.all where killed.contains(entry.pid) {
                problems.append("\(node) keeps killed \(entry.pid) as \(entry.name)")
            }
            if server.table.isLockSet(GlobalProtocol.globalResource) { problems.append("\(node) global lock left set") }
        }
        return problems
    }
}
