public import Colony
public import ErlangTerm
import Synchronization

/// A `pg` scope on a running node, a full member of the same-named scope on every Erlang, Elixir
/// and Colony node of the cluster: the shell of ``ProcessGroupState``.
///
/// A process registered under the scope's name (`pg` for the default scope) receives the scope
/// protocol's messages, monitors, and node events (``Node/watchNodes(_:_:)``: in its mailbox, in
/// order with what the peers send), and performs what the state machine says. Joins and leaves
/// from Swift go through the same mailbox, so a peer sees them in the order they were made.
/// Reads (``members(_:)``, ``groups``) take a snapshot under a lock, as `pg` reads its ETS table.
public final class ProcessGroups: Sendable {
    /// The default scope's name.
    public static let defaultScope: Atom = "pg"

    /// The node.
    public let node: Node
    /// The scope's name.
    public let scope: Atom
    /// The scope process.
    public let pid: PID
    private let machine: Mutex<ProcessGroupState>
    private let pending = Mutex<(next: Int, waiters: [Int: AsyncStream<Bool>.Continuation], stopped: Bool)>(
        (0, [:], false))
    private let subscribers = Broadcast<ProcessGroupChange>()

    private static let requestTag: Atom = "$colony_pg"
    private static let stopRequest: Term = .tuple([.atom(requestTag), "stop"])
    /// The most local joins merged into one round of `join` messages.
    static let joinBatchLimit = 4096

    private init(node: Node, scope: Atom, pid: PID) {
        self.node = node
        self.scope = scope
        self.pid = pid
        machine = Mutex(ProcessGroupState(scope: scope, me: pid))
    }

    /// Starts the scope `scope` on `node` (registers its process under that name) and discovers
    /// the scope on every connected node.
    public static func start(on node: Node, scope: Atom = defaultScope) async throws -> ProcessGroups {
        let box = Mutex<ProcessGroups?>(nil)
        let pid = node.spawnReactor(initial: [PID: Reference]()) { monitors, message, process in
            if message == Self.stopRequest { return .stop("shutdown") }
            guard let groups = box.withLock({ $0 }) else { return .continue }
            await groups.handle(message, monitors: &monitors, process: process)
            return .continue
        }
        let groups = ProcessGroups(node: node, scope: scope, pid: pid)
        box.withLock { $0 = groups }
        guard node.register(scope, pid: pid) else {
            await node.send(stopRequest, to: pid)
            throw ProcessGroupsError.scopeTaken(scope)
        }
        groups.registerFunctions()
        // Node events reach the scope's mailbox in order with what the peers send; a node that
        // connects meanwhile is discovered twice, which pg allows.
        node.watchNodes(pid)
        await node.send(.tuple([.atom(requestTag), "started"]), to: pid)
        return groups
    }

    /// Stops the scope process; every other node's scope drops this node's members. Joins and
    /// leaves still waiting for an answer get `false`.
    public func stop() async {
        node.watchNodes(pid, false)
        ScopeTable.shared.remove(self)
        await node.send(Self.stopRequest, to: pid)
        subscribers.finish()
        let waiters = pending.withLock { state in
            defer {
                state.waiters = [:]
                state.stopped = true
            }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.finish() }
    }

    // MARK: - Reads

    /// Every member of `group` on every node.
    public func members(_ group: Term) -> [PID] { machine.withLock { $0.members(group) } }

    /// The members of `group` on this node.
    public func localMembers(_ group: Term) -> [PID] { machine.withLock { $0.localMembers(group) } }

    /// Every group with members.
    public var groups: [Term] { machine.withLock { $0.groups } }

    /// Every group with its members.
    public var allMembers: [Term: [PID]] { machine.withLock { $0.allMembers } }

    /// Joins and leaves from now on (`pg:monitor_scope`); filter on ``ProcessGroupChange/group``
    /// for one group (`pg:monitor`).
    public func changes() -> AsyncStream<ProcessGroupChange> { subscribers.subscribe() }

    // MARK: - Joins and leaves

    /// Local `pids` join `group` (`pg:join/3`); they leave it when they exit.
    public func join(_ group: Term, _ pids: [PID]) async throws {
        try Self.ensureLocal(pids, on: node)
        _ = await request("join", group, pids)
    }

    /// Local `pids` leave `group` (`pg:leave/3`); `false` when none of them was in it
    /// (`not_joined`).
    @discardableResult
    public func leave(_ group: Term, _ pids: [PID]) async throws -> Bool {
        try Self.ensureLocal(pids, on: node)
        return await request("leave", group, pids)
    }

    private static func ensureLocal(_ pids: [PID], on node: Node) throws {
        if let remote = pids.first(where: { $0.node != node.name }) { throw ProcessGroupsError.notLocal(remote) }
    }

    private func request(_ kind: Atom, _ group: Term, _ pids: [PID]) async -> Bool {
        let (answer, continuation) = AsyncStream<Bool>.makeStream()
        let registered = pending.withLock { state -> Int? in
            guard !state.stopped else { return nil }
            defer { state.next += 1 }
            state.waiters[state.next] = continuation
            return state.next
        }
        guard let id = registered else { return false }
        let message: Term = .tuple([
            .atom(Self.requestTag), .atom(kind), .integer(id), group, .list(pids.map(Term.pid)),
        ])
        await node.send(message, to: pid)
        for await done in answer { return done }
        return false
    }

    // MARK: - The scope process

    private func handle(_ message: Term, monitors: inout [PID: Reference], process: ProcessContext) async {
        var effects: [ProcessGroupState.Effect] = []
        var answer: (waiter: AsyncStream<Bool>.Continuation, done: Bool)?
        let isJoin: Bool
        if case .tuple(let t) = message, t.count == 5, t[0] == .atom(Self.requestTag), t[1] == "join" {
            isJoin = true
        } else {
            isJoin = false
        }
        // Deferred joins go out before whatever this message makes the scope send.
        if !isJoin { effects = machine.withLock { $0.flush() } }
        if case .tuple(let t) = message, t.first == .atom(Self.requestTag) {
            effects += handleRequest(t, deferJoin: isJoin, answer: &answer)
        } else if case .tuple(let t) = message, t.count == 3, t[0] == "nodeup", case .atom(let peer) = t[1] {
            if GlobalServerState.isVisible(t[2]) { effects += machine.withLock { $0.nodeUp(peer) } }
        } else if case .tuple(let t) = message, t.count == 3, t[0] == "nodedown" {
            // The peer scope's monitor reports its members gone.
        } else if case .tuple(let t) = message, t.count == 5, t[0] == "DOWN", case .pid(let gone) = t[3] {
            monitors[gone] = nil
            effects += machine.withLock { $0.down(gone) }
        } else {
            effects += machine.withLock { $0.received(message) }
        }
        // Joins wait while more messages are right behind (up to a bound), then go out merged.
        if isJoin, process.messageQueueLength == 0 || machine.withLock({ $0.deferredJoins }) >= Self.joinBatchLimit {
            effects += machine.withLock { $0.flush() }
        }
        for effect in effects { await perform(effect, monitors: &monitors, process: process) }
        // Answered once the effects are out, so a caller's next request follows them.
        if let answer {
            answer.waiter.yield(answer.done)
            answer.waiter.finish()
        }
    }

    private func handleRequest(
        _ t: [Term], deferJoin: Bool, answer: inout (waiter: AsyncStream<Bool>.Continuation, done: Bool)?
    ) -> [ProcessGroupState.Effect] {
        switch (t.count, t.count > 1 ? t[1] : Term.list([])) {
        case (2, .atom("started")):
            return machine.withLock { $0.started(connected: node.nodes(.visible)) }
        case (5, .atom(let kind)):
            guard case .integer(let id) = t[2], let pids = ProcessGroupState.pids(t[4]),
                let waiter = pending.withLock({ $0.waiters.removeValue(forKey: id) })
            else { return [] }
            let (effects, done) = machine.withLock { state -> ([ProcessGroupState.Effect], Bool) in
                if kind == "join" { return (state.join(t[3], pids, deferred: deferJoin), true) }
                guard let effects = state.leave(t[3], pids) else { return ([], false) }
                return (effects, true)
            }
            answer = (waiter, done)
            return effects
        default:
            return []
        }
    }

    private func perform(
        _ effect: ProcessGroupState.Effect, monitors: inout [PID: Reference], process: ProcessContext
    ) async {
        switch effect {
        case .send(let message, let target):
            await process.send(message, to: target)
        case .sendNamed(let message, let name, let remote):
            await process.send(message, to: name, on: remote)
        case .monitor(let target):
            if monitors[target] == nil { monitors[target] = await process.monitor(target) }
        case .demonitor(let target):
            if let reference = monitors.removeValue(forKey: target) { await process.demonitor(reference, flush: true) }
        case .changed(let change):
            subscribers.yield(change)
        }
    }
}

/// Why a `pg` operation was refused.
public enum ProcessGroupsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The scope's name is registered to another process.
    case scopeTaken(Atom)
    /// Only local processes join and leave (`{nolocal, Pid}`).
    case notLocal(PID)

    public var description: String {
        switch self {
        case .scopeTaken(let scope): "the name \(scope) is already registered"
        case .notLocal(let pid): "\(pid) is not a local process (nolocal)"
        }
    }
}

extension ProcessGroups {
    /// The module under which a node with a scope answers other nodes (the dashboard, the demo):
    /// `colony_pg:groups(Scope)` (`[{Group, [Pid]}]`) and `colony_pg:get_members(Scope, Group)`.
    public static let module: Atom = "colony_pg"

    /// Registers the `colony_pg` functions for this scope (each scope answers for its own name).
    func registerFunctions() {
        ScopeTable.shared.add(self)
        node.functions.register(module: Self.module, function: "groups") { arguments, process in
            guard case .atom(let scope)? = arguments.first,
                let groups = ScopeTable.shared.scope(scope, on: process.node)
            else { throw ProcessExit("badarg") }
            let all = groups.allMembers.sorted { "\($0.key)" < "\($1.key)" }
            return .list(all.map { .tuple([$0.key, .list($0.value.map(Term.pid))]) })
        }
        node.functions.register(module: Self.module, function: "get_members") { arguments, process in
            guard arguments.count == 2, case .atom(let scope) = arguments[0],
                let groups = ScopeTable.shared.scope(scope, on: process.node)
            else { throw ProcessExit("badarg") }
            return .list(groups.members(arguments[1]).map(Term.pid))
        }
    }
}

/// The scopes running on this OS process's nodes, by node and scope name, for the `colony_pg`
/// functions.
final class ScopeTable: Sendable {
    static let shared = ScopeTable()
    private struct Weak: @unchecked Sendable { weak var groups: ProcessGroups? }
    private let table = Mutex<[String: Weak]>([:])

    private static func key(_ scope: Atom, _ node: Atom) -> String { "\(node.name) \(scope.name)" }

    func add(_ groups: ProcessGroups) {
        table.withLock { $0[Self.key(groups.scope, groups.node.name)] = Weak(groups: groups) }
    }

    func remove(_ groups: ProcessGroups) {
        table.withLock { _ = $0.removeValue(forKey: Self.key(groups.scope, groups.node.name)) }
    }

    func scope(_ scope: Atom, on node: Node) -> ProcessGroups? {
        table.withLock { $0[Self.key(scope, node.name)]?.groups }
    }
}
