import ColonyTestSupport
import ErlangTerm

@testable import Colony

/// A deterministic world of two nodes joined by at most one connection, driving the signal model
/// (``ProcessSignals`` and ``ConnectionRoutes``) the way ``Node``'s shell does, with the wire as
/// one FIFO queue per direction. Every process traps exits, so each exit signal and `DOWN` it gets
/// is recorded, and the invariants can be checked once the wire is quiet.
struct SignalWorld {
    enum Wire {
        case message(from: PID, to: PID, sequence: Int)
        case link(from: PID, to: PID)
        case unlinkID(id: UInt64, from: PID, to: PID)
        case unlinkAck(id: UInt64, from: PID, to: PID)
        case exit(from: PID, to: PID, reason: Term)
        case monitor(watcher: PID, target: PID, reference: Reference)
        case demonitor(watcher: PID, target: PID, reference: Reference)
        case down(target: PID, watcher: PID, reference: Reference, reason: Term)
    }

    struct Pair: Hashable {
        var receiver: PID
        var sender: PID
    }

    static let nodes: [Atom] = ["a@sim", "b@sim"]

    var random: SplitMix64
    var processes: [PID: ProcessSignals] = [:]
    var alive: Set<PID> = []
    var routes: [Atom: ConnectionRoutes] = [:]
    /// The connection between the two nodes that new signals take, if up.
    var connection: SignalRoute?
    /// A connection replaced by a newer one before its close was seen: retired at once (it delivers
    /// nothing more, as ``ErlangDistribution/DistributionConnection/retire()`` makes it), but its
    /// links and monitors break only when ``closeReplaced()`` runs, while the new one is in use.
    var replaced: SignalRoute?
    var nextConnection: UInt64 = 1
    /// What is in flight on each connection, by destination node.
    var wire: [SignalRoute: [Atom: [Wire]]] = [:]
    var nextReference: UInt32 = 1
    var nextUnlinkID: UInt64 = 1
    var nextProcessID: UInt32 = 1000

    // What happened, for the invariants.
    var downs: [Reference: Int] = [:]
    var monitorHolders: [Reference: PID] = [:]
    var demonitored: Set<Reference> = []
    var sent: [Pair: Int] = [:]
    var received: [Pair: [Int]] = [:]
    var linksMade: [Pair: Int] = [:]
    var linkExits: [Pair: Int] = [:]
    var linksUnlinked: [Pair: Int] = [:]
    var log: [String] = []

    init(seed: UInt64, processesPerNode: Int) {
        random = SplitMix64(seed: seed)
        for node in Self.nodes {
            routes[node] = ConnectionRoutes()
            for id in 1...processesPerNode {
                let pid = PID(node: node, id: UInt32(id), serial: 0, creation: 1)
                var signals = ProcessSignals()
                signals.trapExit = true
                processes[pid] = signals
                alive.insert(pid)
            }
        }
        reconnect()
    }

    var pids: [PID] { processes.keys.sorted { ($0.node.name, $0.id) < ($1.node.name, $1.id) } }

    // MARK: - Operations a process starts

    mutating func send(_ from: PID, _ to: PID) {
        guard alive.contains(from) else { return }
        let pair = Pair(receiver: to, sender: from)
        sent[pair, default: 0] += 1
        let sequence = sent[pair]!
        if from.node == to.node {
            if alive.contains(to) { received[pair, default: []].append(sequence) }
        } else if connection != nil {
            put(.message(from: from, to: to, sequence: sequence), to: to.node)
        }
    }

    mutating func link(_ a: PID, _ b: PID) {
        guard alive.contains(a), a != b else { return }
        let wasLinked = processes[a]!.isLinked(to: b)
        if a.node == b.node {
            guard processes[a]!.link(b, route: .local) == .linked else { return }
            countLinkMade(at: a, with: b, wasLinked: wasLinked)
            let accepted = alive.contains(b) && processes[b]!.acceptLink(from: a, route: .local)
            if accepted {
                countLinkMade(at: b, with: a, wasLinked: false)
            } else if processes[a]!.acceptLinkedExit(from: b, route: .local) {
                observeExit(at: a, from: b)
            }
            return
        }
        guard let route = connection else {
            if !wasLinked {
                // Erlang: linking to an unreachable node breaks at once; count it as made and broken.
                countLinkMade(at: a, with: b, wasLinked: false)
                observeExit(at: a, from: b)
            }
            return
        }
        guard processes[a]!.link(b, route: route) == .linked else { return }
        countLinkMade(at: a, with: b, wasLinked: wasLinked)
        guard routes[a.node]!.attach(a, to: route) else { return lose(route, at: a) }
        put(.link(from: a, to: b), to: b.node)
    }

    mutating func unlink(_ a: PID, _ b: PID) {
        guard alive.contains(a) else { return }
        let id = nextUnlinkID
        nextUnlinkID += 1
        guard let route = processes[a]!.unlink(b, id: id) else { return }
        linksUnlinked[Pair(receiver: a, sender: b), default: 0] += 1
        if route.isLocal {
            if alive.contains(b), processes[b]!.acceptUnlink(from: a, route: .local) {
                linksUnlinked[Pair(receiver: b, sender: a), default: 0] += 1
            }
        } else if route == connection {
            put(.unlinkID(id: id, from: a, to: b), to: b.node)
        }
    }

    mutating func monitor(_ holder: PID, _ target: PID) {
        guard alive.contains(holder) else { return }
        let reference = Reference(node: holder.node, creation: 1, ids: [nextReference, 0, 0])
        nextReference += 1
        monitorHolders[reference] = holder
        if holder.node == target.node {
            processes[holder]!.hold(reference, HeldMonitor(target: target, name: nil, node: target.node, route: .local))
            let watcher = Watcher(pid: holder, described: .pid(target), route: .local)
            let added = alive.contains(target) && processes[target]!.acceptMonitor(reference, by: watcher)
            if !added, processes[holder]!.acceptDown(reference, route: .local) != nil {
                observeDown(reference)
            }
            return
        }
        guard let route = connection else { return observeDown(reference) }
        processes[holder]!.hold(reference, HeldMonitor(target: target, name: nil, node: target.node, route: route))
        guard routes[holder.node]!.attach(holder, to: route) else { return lose(route, at: holder) }
        put(.monitor(watcher: holder, target: target, reference: reference), to: target.node)
    }

    mutating func demonitor(_ holder: PID) {
        guard alive.contains(holder),
            let reference = processes[holder]!.monitors.keys.min(by: { $0.ids[0] < $1.ids[0] }),
            let monitor = processes[holder]!.demonitor(reference)
        else { return }
        demonitored.insert(reference)
        guard let target = monitor.target else { return }
        if monitor.route.isLocal {
            if alive.contains(target) { processes[target]!.acceptDemonitor(reference, route: .local) }
        } else if monitor.route == connection {
            put(.demonitor(watcher: holder, target: target, reference: reference), to: target.node)
        }
    }

    mutating func end(_ pid: PID) {
        guard alive.contains(pid), let end = processes[pid]!.terminate(reason: "crash") else { return }
        alive.remove(pid)
        // A new process takes its place, so that long schedules keep live pairs to work on.
        nextProcessID += 1
        let successor = PID(node: pid.node, id: nextProcessID, serial: 0, creation: 1)
        var signals = ProcessSignals()
        signals.trapExit = true
        processes[successor] = signals
        alive.insert(successor)
        routes[pid.node]!.detach(pid, from: end.routes)
        for (other, route) in end.links {
            if route.isLocal {
                if alive.contains(other), processes[other]!.acceptLinkedExit(from: pid, route: .local) {
                    observeExit(at: other, from: pid)
                }
            } else if route == connection {
                put(.exit(from: pid, to: other, reason: "crash"), to: other.node)
            }
        }
        for (reference, watcher) in end.watchers {
            if watcher.route.isLocal {
                if alive.contains(watcher.pid), processes[watcher.pid]!.acceptDown(reference, route: .local) != nil {
                    observeDown(reference)
                }
            } else if watcher.route == connection {
                put(
                    .down(target: pid, watcher: watcher.pid, reference: reference, reason: "crash"),
                    to: watcher.pid.node)
            }
        }
        for (reference, monitor) in end.monitors {
            guard let target = monitor.target else { continue }
            if monitor.route.isLocal {
                if alive.contains(target) { processes[target]!.acceptDemonitor(reference, route: .local) }
            } else if monitor.route == connection {
                put(.demonitor(watcher: pid, target: target, reference: reference), to: target.node)
            }
        }
    }

    // MARK: - The connection

    /// The current connection is lost: what was in flight on it is lost with the socket.
    mutating func drop() {
        guard let route = connection else { return }
        connection = nil
        close(route)
    }

    /// A new connection comes up. If one is up, it is replaced: what is in flight on it is lost,
    /// and its links and monitors break at ``closeReplaced()``, while new signals take the new one.
    mutating func reconnect() {
        if let current = connection {
            guard replaced == nil else { return }
            replaced = current
            wire[current] = [:]
        }
        let route = SignalRoute(connection: nextConnection)
        nextConnection += 1
        for node in Self.nodes { routes[node]!.open(route) }
        wire[route] = [Self.nodes[0]: [], Self.nodes[1]: []]
        connection = route
    }

    /// The replaced connection's close is seen, on both nodes.
    mutating func closeReplaced() {
        guard let route = replaced else { return }
        replaced = nil
        close(route)
    }

    private mutating func close(_ route: SignalRoute) {
        wire[route] = nil
        for node in Self.nodes {
            for pid in routes[node]!.close(route) ?? [] where alive.contains(pid) {
                deliver(processes[pid]!.connectionLost(route), to: pid)
            }
        }
    }

    // MARK: - The receiving side

    /// Handles the oldest signal in flight to `node` on `route` (by default the current
    /// connection); `false` when none is.
    @discardableResult
    mutating func step(_ node: Atom, on chosen: SignalRoute? = nil) -> Bool {
        guard let route = chosen ?? connection, wire[route]?[node]?.isEmpty == false else { return false }
        let signal = wire[route]![node]!.removeFirst()
        switch signal {
        case .message(let from, let to, let sequence):
            if alive.contains(to) { received[Pair(receiver: to, sender: from), default: []].append(sequence) }
        case .link(let from, let to):
            let wasLinked = alive.contains(to) && processes[to]!.isLinked(to: from)
            guard alive.contains(to), processes[to]!.acceptLink(from: from, route: route) else {
                put(.exit(from: to, to: from, reason: "noproc"), to: from.node, on: route)
                return true
            }
            if processes[to]!.isLinked(to: from) { countLinkMade(at: to, with: from, wasLinked: wasLinked) }
            if !routes[node]!.attach(to, to: route) { lose(route, at: to) }
        case .unlinkID(let id, let from, let to):
            if alive.contains(to), processes[to]!.acceptUnlink(from: from, route: route) {
                linksUnlinked[Pair(receiver: to, sender: from), default: 0] += 1
            }
            put(.unlinkAck(id: id, from: to, to: from), to: from.node, on: route)
        case .unlinkAck(let id, let from, let to):
            if alive.contains(to) { processes[to]!.acceptUnlinkAck(from: from, id: id, route: route) }
        case .exit(let from, let to, _):
            if alive.contains(to), processes[to]!.acceptLinkedExit(from: from, route: route) {
                observeExit(at: to, from: from)
            }
        case .monitor(let watcher, let target, let reference):
            let record = Watcher(pid: watcher, described: .pid(target), route: route)
            guard alive.contains(target), processes[target]!.acceptMonitor(reference, by: record) else {
                put(
                    .down(target: target, watcher: watcher, reference: reference, reason: "noproc"), to: watcher.node,
                    on: route)
                return true
            }
            if !routes[node]!.attach(target, to: route) { lose(route, at: target) }
        case .demonitor(_, let target, let reference):
            if alive.contains(target) { processes[target]!.acceptDemonitor(reference, route: route) }
        case .down(_, let watcher, let reference, _):
            if alive.contains(watcher), processes[watcher]!.acceptDown(reference, route: route) != nil {
                observeDown(reference)
            }
        }
        return true
    }

    /// Delivers everything in flight (no new operations), as a quiet wire lets it.
    mutating func quiesce() {
        var budget = 100_000
        closeReplaced()
        while budget > 0, step(Self.nodes[0]) || step(Self.nodes[1]) { budget -= 1 }
    }

    // MARK: - Helpers

    /// Queues a signal on the current connection (none: it is dropped, as the shell drops a
    /// signal for a link or monitor whose connection is gone).
    private mutating func put(_ signal: Wire, to node: Atom) {
        guard let route = connection else { return }
        put(signal, to: node, on: route)
    }

    /// Queues an answer on the connection its cause came over, while that one is open.
    private mutating func put(_ signal: Wire, to node: Atom, on route: SignalRoute) {
        wire[route]?[node]?.append(signal)
    }

    private mutating func lose(_ route: SignalRoute, at pid: PID) {
        deliver(processes[pid]!.connectionLost(route), to: pid)
    }

    private mutating func deliver(_ signals: [Envelope], to pid: PID) {
        for signal in signals {
            switch signal {
            case .exit(let from, _, _): observeExit(at: pid, from: from)
            case .message(let term), .traced(let term, _):
                guard case .tuple(let t) = term, t.count == 5, case .reference(let reference) = t[1] else {
                    log.append("unexpected message \(term)")
                    continue
                }
                observeDown(reference)
            }
        }
    }

    private mutating func observeDown(_ reference: Reference) {
        downs[reference, default: 0] += 1
    }

    private mutating func observeExit(at pid: PID, from other: PID) {
        linkExits[Pair(receiver: pid, sender: other), default: 0] += 1
    }

    private mutating func countLinkMade(at pid: PID, with other: PID, wasLinked: Bool) {
        if !wasLinked { linksMade[Pair(receiver: pid, sender: other), default: 0] += 1 }
    }

    // MARK: - Random schedules

    /// Runs `count` random operations: process operations, deliveries, drops and reconnects.
    mutating func run(operations count: Int) {
        for _ in 0..<count {
            // Mostly live processes; now and then one that has ended.
            let candidates = random.next(below: 10) == 0 ? pids : pids.filter { alive.contains($0) }
            let a = candidates[random.next(below: candidates.count)]
            let b = candidates[random.next(below: candidates.count)]
            switch random.next(below: 100) {
            case 0..<18: send(a, b)
            case 18..<28: link(a, b)
            case 28..<34: unlink(a, b)
            case 34..<44: monitor(a, b)
            case 44..<49: demonitor(a)
            case 49..<52: end(a)
            case 52..<54: drop()
            case 54..<58: reconnect()
            case 58..<62: closeReplaced()
            default: step(Self.nodes[random.next(below: 2)])
            }
        }
    }

    // MARK: - Invariants

    /// What breaks Erlang's guarantees, in words; empty when none does.
    func violations() -> [String] {
        var found = log
        for (reference, count) in downs where count > 1 {
            found.append("monitor \(reference.ids[0]) fired \(count) DOWNs")
        }
        for (reference, holder) in monitorHolders where alive.contains(holder) && !demonitored.contains(reference) {
            let fired = downs[reference, default: 0]
            if let monitor = processes[holder]!.monitors[reference] {
                if fired > 0 { found.append("monitor \(reference.ids[0]) fired but is still held") }
                let targetAlive = monitor.target.map { alive.contains($0) } ?? false
                let routeOpen = monitor.route.isLocal || monitor.route == connection
                if !targetAlive || !routeOpen {
                    found.append("monitor \(reference.ids[0]) is held on a dead target or a lost connection, no DOWN")
                }
            } else if fired != 1 {
                found.append("monitor \(reference.ids[0]) is gone with \(fired) DOWNs")
            }
        }
        for pid in alive {
            for (other, link) in processes[pid]!.links {
                if link.unlinking != nil {
                    found.append("\(pid) still unlinking \(other) on a quiet wire")
                    continue
                }
                let routeOpen = link.route.isLocal || link.route == connection
                let back = alive.contains(other) ? processes[other]!.links[pid] : nil
                if !alive.contains(other) || !routeOpen || back?.route != link.route || back?.unlinking != nil {
                    found.append("\(pid) is linked to \(other) over \(link.route) but the other side is not")
                }
            }
        }
        // Each link a live process made ends exactly one way: an exit signal, an unlink (its own or
        // the other side's), or it is still there.
        for (pair, made) in linksMade where alive.contains(pair.receiver) {
            let exits = linkExits[pair, default: 0]
            let unlinked = linksUnlinked[pair, default: 0]
            let active = processes[pair.receiver]!.isLinked(to: pair.sender) ? 1 : 0
            if made != exits + unlinked + active {
                found.append(
                    "\(pair.receiver)–\(pair.sender): \(made) links made, \(exits) exits, \(unlinked) unlinks, \(active) active"
                )
            }
        }
        for (pair, sequence) in received where zip(sequence, sequence.dropFirst()).contains(where: { $0 >= $1 }) {
            found.append("\(pair.receiver) got \(pair.sender)'s messages out of order: \(sequence)")
        }
        for pid in processes.keys where !alive.contains(pid) {
            let state = processes[pid]!
            if !state.links.isEmpty || !state.monitors.isEmpty || !state.watchers.isEmpty {
                found.append("\(pid) ended but keeps links or monitors")
            }
        }
        return found
    }
}
