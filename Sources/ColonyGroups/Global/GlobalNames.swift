public import Colony
public import ErlangTerm
import Logging
import Synchronization

/// Global names and locks on a running node: a full `global_name_server`, speaking OTP 25's
/// protocol with every Erlang, Elixir and Colony node of the cluster. The shell of
/// ``GlobalServerState`` and ``GlobalLockerState``.
///
/// One process, registered as `global_name_server`, receives the protocol's messages, node events
/// (``Node/watchNodes(_:_:)``: in order with what the peers send), `DOWN`s of the processes that
/// hold names and locks, and the answers to the locker's calls; it does what the state machines
/// say. The locker lives in the same process (its pid is the locker's pid other nodes see).
/// Reads (``whereis(_:)``, ``registeredNames``) take the state under a lock, as `global` reads its
/// ETS tables.
public final class GlobalNames: Sendable {
    /// The node.
    public let node: Node
    /// The name server's process.
    public let pid: PID
    let machine: Mutex<Machine>
    let resolvers = Mutex<[Term: GlobalConflictResolution]>([:])
    private let subscribers = Broadcast<GlobalNameChange>()
    let registrar = Mutex<PID?>(nil)
    let registrarJobs = Mutex<(next: Int, jobs: [Int: RegistrarJob])>((0, [:]))
    let logger: Logger

    struct Machine: Sendable {
        var server: GlobalServerState
        var locker: GlobalLockerState
    }

    static let timerTag: Atom = "$colony_global_timer"
    static let callTag: Atom = "$colony_global_call"
    static let stopRequest: Term = .tuple(["$colony_global", "stop"])

    private init(node: Node, pid: PID, settings: GlobalSettings) {
        self.node = node
        self.pid = pid
        let seed = UInt64.random(in: 1...UInt64.max)
        let extended = Int.random(in: 1..<(1 << 28)) << 32 | Int(node.creation)
        machine = Mutex(
            Machine(
                server: GlobalServerState(
                    me: node.name, locker: pid, preventOverlappingPartitions: settings.preventOverlappingPartitions,
                    extendedCreation: extended),
                locker: GlobalLockerState(me: node.name, pid: pid, seed: seed)))
        logger = Logger(label: "colony.global")
    }

    /// Starts the name server on `node` (taking the name `global_name_server` over from the
    /// stand-in that answers Erlang nodes until it runs) and begins the connect protocol with
    /// every visible node already connected.
    public static func start(on node: Node, settings: GlobalSettings = GlobalSettings()) async throws -> GlobalNames {
        let box = Mutex<GlobalNames?>(nil)
        let pid = node.spawnReactor(initial: [PID: Reference]()) { monitors, message, process in
            if message == Self.stopRequest { return .stop("shutdown") }
            guard let names = box.withLock({ $0 }) else { return .continue }
            await names.handle(message, monitors: &monitors, process: process)
            return .continue
        }
        let names = GlobalNames(node: node, pid: pid, settings: settings)
        box.withLock { $0 = names }
        if let holder = node.whereis(GlobalProtocol.serverName), holder != pid {
            _ = node.unregister(GlobalProtocol.serverName)
            await node.send(.tuple(["$colony_global_compat", "stop"]), to: holder)
        }
        guard node.register(GlobalProtocol.serverName, pid: pid) else {
            await node.send(stopRequest, to: pid)
            throw GlobalNamesError.serverTaken
        }
        node.watchNodes(pid)
        for peer in node.nodes(.visible) {
            await node.send(.tuple(["nodeup", .atom(peer), .map(TermMap([(.atom("node_type"), "visible")]))]), to: pid)
        }
        let registrar = names.startRegistrar()
        names.registrar.withLock { $0 = registrar }
        node.installGlobalRegistry(GlobalNameRegistry(names: names))
        names.registerFunctions()
        return names
    }

    /// Stops the name server: every other node drops this node's names when it goes.
    public func stop() async {
        node.installGlobalRegistry(nil)
        node.watchNodes(pid, false)
        await stopRegistrar()
        await node.send(Self.stopRequest, to: pid)
        subscribers.finish()
    }

    // MARK: - Reads

    /// The process registered as `name`, if any (`global:whereis_name/1`). A local process that
    /// has ended does not count, as in OTP.
    public func whereis(_ name: Term) -> PID? {
        guard let pid = machine.withLock({ $0.server.table.whereis(name) }) else { return nil }
        if pid.node == node.name, !node.isAlive(pid) { return nil }
        return pid
    }

    /// Whether `pid` holds a global name (`check_dupname/2`: a process has at most one).
    public func hasName(_ pid: PID) -> Bool { machine.withLock { $0.server.table.namesOf[pid] != nil } }

    /// Every registered name (`global:registered_names/0`).
    public var registeredNames: [Term] { machine.withLock { $0.server.table.all.map(\.name) } }

    /// Every registration, in name order.
    public var registrations: [GlobalName] { machine.withLock { $0.server.table.all } }

    /// The nodes whose names are merged with this node's (global's `known`).
    public var knownNodes: [Atom] { machine.withLock { $0.server.knownNodes } }

    /// The protocol's state, for operators: `#{known, synced, pending, sessions, locker}`.
    public var info: Term {
        machine.withLock { m in
            .map(
                TermMap([
                    ("known", .list(m.server.knownNodes.map(Term.atom))),
                    ("synced", .list(m.server.synced.map(Term.atom))),
                    ("pending", .list(m.server.pending.keys.sorted().map(Term.atom))),
                    ("sessions", .list(m.server.sessions.keys.sorted().map(Term.atom))),
                    ("locker", .binary(Array(String(describing: m.locker.mode).utf8))),
                ]))
        }
    }

    /// Registrations and removals from now on.
    public func changes() -> AsyncStream<GlobalNameChange> { subscribers.subscribe() }

    // MARK: - The server process

    private func handle(_ message: Term, monitors: inout [PID: Reference], process: ProcessContext) async {
        var server: [GlobalServerState.Directive] = []
        var locker: [GlobalLockerState.Directive] = []
        if case .tuple(let t) = message, t.count == 2, t[0] == .atom(Self.timerTag),
            case .integer(let generation) = t[1]
        {
            locker = machine.withLock { m in
                let table = m.server.table
                return m.locker.timeout(
                    generation, canSetLock: table.canSetLock,
                    globalLockSet: table.isLockSet(GlobalProtocol.globalResource))
            }
        } else if case .tuple(let t) = message, t.count == 2, case .tuple(let tag) = t[0], tag.count == 3,
            tag[0] == .atom(Self.callTag), case .integer(let token) = tag[1], case .atom(let peer) = tag[2]
        {
            locker = machine.withLock { m in
                let table = m.server.table
                return m.locker.replied(token: token, node: peer, reply: t[1], canSetLock: table.canSetLock)
            }
        } else if case .tuple(let t) = message, t.count == 5, t[0] == "DOWN", case .pid(let gone) = t[3] {
            guard monitors.removeValue(forKey: gone) != nil else { return }
            server = machine.withLock { $0.server.processDown(gone) }
        } else {
            server = machine.withLock { $0.server.received(message) }
            if case .tuple(let t) = message, t.count == 3, t[0] == "nodedown", case .atom(let peer) = t[1] {
                locker += failCalls(to: peer)
            }
        }
        logger.trace("global: \(message) -> \(server) \(locker)")
        await perform(server: server, locker: locker, monitors: &monitors, process: process)
    }

    /// The locker's calls to a node that went down will not be answered.
    private func failCalls(to peer: Atom) -> [GlobalLockerState.Directive] {
        machine.withLock { m in
            guard case .locking(let run) = m.locker.mode, run.waiting.contains(peer) else { return [] }
            let table = m.server.table
            return m.locker.failed(token: run.token, node: peer, canSetLock: table.canSetLock)
        }
    }

    private func perform(
        server: [GlobalServerState.Directive], locker: [GlobalLockerState.Directive], monitors: inout [PID: Reference],
        process: ProcessContext
    ) async {
        var serverWork = server[...]
        var lockerWork = locker[...]
        while let directive = serverWork.popFirst() ?? nil {
            lockerWork += await perform(directive, monitors: &monitors, process: process)
            while let next = lockerWork.popFirst() { lockerWork += await perform(next, process: process) }
        }
        while let next = lockerWork.popFirst() { lockerWork += await perform(next, process: process) }
    }

    /// Performs a server directive; returns what the locker says in turn.
    private func perform(
        _ directive: GlobalServerState.Directive, monitors: inout [PID: Reference], process: ProcessContext
    ) async -> [GlobalLockerState.Directive] {
        switch directive {
        case .cast(let peer, let message):
            await sendToServer(GlobalProtocol.cast(message), on: peer, process: process)
        case .send(let peer, let message):
            await sendToServer(message, on: peer, process: process)
        case .toSelf(let message):
            await process.send(message, to: pid)
        case .reply(let caller, let reply):
            await process.reply(to: caller, reply)
        case .watch(let target):
            if target != pid, monitors[target] == nil { monitors[target] = await process.monitor(target) }
        case .unwatch(let target):
            // A DOWN already queued is ignored when it comes (its monitor is no longer listed).
            if let reference = monitors.removeValue(forKey: target) { await process.demonitor(reference) }
        case .resolve(let peer, let tag, let names):
            startResolver(peer: peer, tag: tag, names: names)
        case .syncOther(let peer):
            startSyncOther(peer)
        case .disconnect(let peer):
            _ = await node.disconnect(peer)
        case .locker(let message):
            logger.trace("global locker: \(message)")
            return machine.withLock { m in
                let table = m.server.table
                return m.locker.receive(
                    message, canSetLock: table.canSetLock, globalLockSet: table.isLockSet(GlobalProtocol.globalResource)
                )
            }
        case .changed(let change):
            if case .unregistered(let name, _) = change { _ = resolvers.withLock { $0.removeValue(forKey: name) } }
            subscribers.yield(change)
        case .warning(let text):
            logger.warning("\(text)")
        }
        return []
    }

    /// Performs a locker directive; returns what the locker says in turn.
    private func perform(_ directive: GlobalLockerState.Directive, process: ProcessContext) async
        -> [GlobalLockerState.Directive]
    {
        switch directive {
        case .call(let token, let peer, let request):
            guard peer == node.name || node.nodes(.visible).contains(peer) else {
                return machine.withLock { m in
                    let table = m.server.table
                    return m.locker.failed(token: token, node: peer, canSetLock: table.canSetLock)
                }
            }
            let tag: Term = .tuple([.atom(Self.callTag), .integer(token), .atom(peer)])
            await sendToServer(.tuple(["$gen_call", .tuple([.pid(pid), tag]), request]), on: peer, process: process)
        case .cast(let peer, let message):
            await sendToServer(GlobalProtocol.cast(message), on: peer, process: process)
        case .send(let target, let message):
            await process.send(message, to: target)
        case .arm(let generation, let delay):
            node.sendAfter(delay, .tuple([.atom(Self.timerTag), .integer(generation)]), to: pid)
        }
        return []
    }

    /// A message to the name server on `peer`; never opens a connection for it (global's
    /// volatile sends), except to this node itself.
    private func sendToServer(_ message: Term, on peer: Atom, process: ProcessContext) async {
        if peer == node.name {
            await process.send(message, to: pid)
        } else if node.nodes(.connected).contains(peer) {
            await process.send(message, to: GlobalProtocol.serverName, on: peer)
        }
    }

    /// `sync_other/2`: connects to `peer` (the partition this node just merged with includes it)
    /// and tells it this node is in sync, or reports it unreachable.
    private func startSyncOther(_ peer: Atom) {
        let server = pid
        node.spawn { process in
            var reachable = process.node.nodes(.visible).contains(peer)
            if !reachable { reachable = await process.node.connect(to: peer) == .connected }
            // A connection the peer made meanwhile counts too.
            if !reachable { reachable = process.node.nodes(.visible).contains(peer) }
            if reachable {
                await process.send(
                    GlobalProtocol.cast(.tuple(["in_sync", .atom(process.node.name), "true"])),
                    to: GlobalProtocol.serverName, on: peer)
            } else {
                await process.send(.tuple(["extra_nodedown", .atom(peer)]), to: server)
            }
        }
    }
}

/// Why the name server could not start.
public enum GlobalNamesError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another process holds the name `global_name_server`.
    case serverTaken
    /// The operation needs a process that is not local to the node.
    case notLocal(PID)

    public var description: String {
        switch self {
        case .serverTaken: "global_name_server is registered to another process"
        case .notLocal(let pid): "\(pid) is not a local process"
        }
    }
}

/// Settings of global names on a node.
public struct GlobalSettings: Sendable, Equatable {
    /// OTP's `prevent_overlapping_partitions` (kernel parameter, on by default since OTP 25): when
    /// a node loses a peer, every node that knows both drops the lost peer too, so partitions stay
    /// disjoint.
    public var preventOverlappingPartitions: Bool

    /// Settings with OTP 25's defaults.
    public init(preventOverlappingPartitions: Bool = true) {
        self.preventOverlappingPartitions = preventOverlappingPartitions
    }
}
