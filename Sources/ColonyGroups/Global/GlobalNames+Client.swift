public import Colony
public import ErlangTerm

/// Registering names and taking locks, as `global`'s API functions do it: from the calling
/// process, with `gen_server` calls to the name server of every node concerned.
extension GlobalNames {
    /// Registers `pid` as `name` on every node (`global:register_name/3`); `false` when the name
    /// is taken or `pid` already has a global name. Safe against races: it runs under global's
    /// own lock on every known node, as OTP's does.
    public func register(_ name: Term, _ pid: PID, resolve: GlobalConflictResolution = .exitRandom) async -> Bool {
        await withRegistrar { process in
            await self.registering(name, resolve: resolve, process: process) { nodes in
                guard self.whereis(name) == nil, !self.hasName(pid) else {
                    return false
                }
                _ = await Self.registrarCall(
                    nodes, .tuple(["register", name, .pid(pid), resolve.method]), process: process)
                return true
            }
        }
    }

    /// Registers `pid` as `name` whether or not the name is taken (`global:re_register_name/3`).
    public func reregister(_ name: Term, _ pid: PID, resolve: GlobalConflictResolution = .exitRandom) async {
        _ = await withRegistrar { process in
            await self.registering(name, resolve: resolve, process: process) { nodes in
                _ = await Self.registrarCall(
                    nodes, .tuple(["register", name, .pid(pid), resolve.method]), process: process)
                return true
            }
        }
    }

    /// Removes `name` on every node (`global:unregister_name/1`).
    public func unregister(_ name: Term) async {
        guard whereis(name) != nil || registeredNames.contains(name) else { return }
        _ = await withRegistrar { process in
            await self.transAllKnown(process: process) { nodes in
                _ = await Self.registrarCall(nodes, .tuple(["unregister", name]), process: process)
                return true
            }
        }
    }

    private func registering(
        _ name: Term, resolve: GlobalConflictResolution, process: ProcessContext, _ body: ([Atom]) async -> Bool
    ) async -> Bool {
        if case .custom = resolve { resolvers.withLock { $0[name] = resolve } }
        let done = await transAllKnown(process: process, body)
        if !done, case .custom = resolve { _ = resolvers.withLock { $0.removeValue(forKey: name) } }
        return done
    }

    /// Waits until this node's names are merged with every connected node's (`global:sync/0`).
    public func sync() async {
        await withProcess { process in
            _ = try? await process.call(
                .pid(self.pid), .tuple(["sync", .list(self.node.nodes(.visible).map(Term.atom))]), timeout: nil)
        }
    }

    // MARK: - Locks

    /// Sets the lock `{resource, requester}` on `nodes` for `process` (`global:set_lock/3`),
    /// trying `retries` more times (`nil`: until it succeeds) with global's random back-off. The
    /// lock is the process's until ``deleteLock(_:requester:nodes:process:)`` or its end.
    public func setLock(
        _ resource: Term, requester: Term, nodes: [Atom]? = nil, retries: Int? = nil, process: ProcessContext
    ) async -> Bool {
        let id: Term = .tuple([resource, requester])
        let targets = nodes ?? [node.name] + node.nodes(.visible)
        var times = 1
        var left = retries
        while true {
            if await Self.setLockOnNodes(id, targets, process: process) { return true }
            if let remaining = left {
                if remaining == 0 { return false }
                left = remaining - 1
            }
            try? await Task.sleep(for: Self.backOff(times))
            times += 1
        }
    }

    /// Releases the lock `{resource, requester}` on `nodes` (`global:del_lock/2`).
    public func deleteLock(_ resource: Term, requester: Term, nodes: [Atom]? = nil, process: ProcessContext) async {
        let targets = nodes ?? [node.name] + node.nodes(.visible)
        _ = await Self.multiCall(targets, .tuple(["del_lock", .tuple([resource, requester])]), process: process)
    }

    /// Runs `body` holding the lock `{resource, requester}` (`global:trans/4`); `nil` (OTP's
    /// `aborted`) when the lock could not be set within `retries`.
    public func transaction<T: Sendable>(
        _ resource: Term, requester: Term, nodes: [Atom]? = nil, retries: Int? = nil, process: ProcessContext,
        _ body: () async throws -> T
    ) async rethrows -> T? {
        let targets = nodes ?? [node.name] + node.nodes(.visible)
        guard await setLock(resource, requester: requester, nodes: targets, retries: retries, process: process) else {
            return nil
        }
        do {
            let value = try await body()
            await deleteLock(resource, requester: requester, nodes: targets, process: process)
            return value
        } catch {
            await deleteLock(resource, requester: requester, nodes: targets, process: process)
            throw error
        }
    }

    // MARK: - The protocol's client side

    /// `trans_all_known/1`, run by the registrar: global's own lock on every known node (making
    /// sure none became known meanwhile), then `body` with those nodes, then the lock goes.
    ///
    /// Two rounds where OTP takes five: the first attempt asks every node at once (OTP asks the
    /// boss alone first, which only spares contention); after a refusal it backs off and takes the
    /// boss first, as OTP. The lock is released without waiting for the answers: the registrar's
    /// next requests reach each node after its release (per-pair order), and anyone else's retry
    /// finds it gone. The requests and answers are OTP's (`set_lock`, `del_lock`), so Erlang nodes
    /// take part unchanged.
    func transAllKnown(process: ProcessContext, _ body: ([Atom]) async -> Bool) async -> Bool {
        let id: Term = .tuple([GlobalProtocol.globalResource, .pid(process.pid)])
        var times = 0
        var nodes: [Atom] = []
        while true {
            let known = knownNodes
            nodes = [node.name] + known
            let boss = nodes.max() ?? node.name
            let first = times == 0 ? nodes : [boss]
            if await Self.registrarSetLock(id, first, process: process) {
                var all = first == nodes
                if !all { all = await Self.registrarSetLock(id, nodes, process: process) }
                if all {
                    if Set(knownNodes).isSubset(of: known) { break }
                    await Self.releaseLock(id, on: nodes, process: process)
                } else {
                    await Self.releaseLock(id, on: [boss], process: process)
                }
            }
            try? await Task.sleep(for: Self.backOff(times))
            times += 1
        }
        let result = await body(nodes)
        await Self.releaseLock(id, on: nodes, process: process)
        return result
    }

    /// `delete_global_lock/2` without waiting: every node but the boss, then the boss.
    static func releaseLock(_ id: Term, on nodes: [Atom], process: ProcessContext) async {
        let boss = nodes.max()
        for target in nodes.filter({ $0 != boss }) + (boss.map { [$0] } ?? []) {
            let tag: Term = .tuple(["$colony_release", .reference(process.makeReference())])
            await process.send(
                .tuple(["$gen_call", .tuple([.pid(process.pid), tag]), .tuple(["del_lock", id])]),
                to: GlobalProtocol.serverName, on: target)
        }
    }

    /// `set_lock_on_nodes/2` for the registrar (``registrarCall(_:_:process:)``).
    static func registrarSetLock(_ id: Term, _ nodes: [Atom], process: ProcessContext) async -> Bool {
        let replies = await registrarCall(nodes, .tuple(["set_lock", id]), process: process)
        guard replies.contains(where: { $0.1 != "true" }) else { return true }
        if replies.count > 1 { await releaseLock(id, on: replies.filter { $0.1 == "true" }.map(\.0), process: process) }
        return false
    }

    /// `multi_call` for the registrar, which watches node events (``Node/watchNodes(_:_:)``) instead
    /// of monitoring each name server for each call: a node that is not connected, or whose
    /// `nodedown` comes first, does not count. Only for known nodes, which all run global.
    static func registrarCall(_ nodes: [Atom], _ request: Term, process: ProcessContext) async -> [(Atom, Term)] {
        var waiting: [Term: Atom] = [:]
        let connected = Set(process.node.nodes(.visible))
        for target in nodes where target == process.node.name || connected.contains(target) {
            let tag: Term = .reference(process.makeReference())
            waiting[tag] = target
            await process.send(
                .tuple(["$gen_call", .tuple([.pid(process.pid), tag]), request]), to: GlobalProtocol.serverName,
                on: target)
        }
        var replies: [(Atom, Term)] = []
        while !waiting.isEmpty {
            let answer = try? await process.receive { message -> (Term?, Atom, Term?)? in
                guard case .tuple(let t) = message else { return nil }
                if t.count == 2, let target = waiting[t[0]] { return (t[0], target, t[1]) }
                if t.count == 3, t[0] == "nodedown", case .atom(let gone) = t[1], waiting.values.contains(gone) {
                    return (nil, gone, nil)
                }
                return nil
            }
            guard let (tag, target, reply) = answer ?? nil else { break }
            if let tag, let reply {
                waiting[tag] = nil
                replies.append((target, reply))
            } else {
                waiting = waiting.filter { $0.value != target }
            }
        }
        return replies.sorted { $0.0 < $1.0 }
    }

    /// `set_lock_on_nodes/2` with `check_replies/3`.
    static func setLockOnNodes(_ id: Term, _ nodes: [Atom], process: ProcessContext) async -> Bool {
        guard !nodes.isEmpty else { return true }
        let replies = await multiCall(nodes, .tuple(["set_lock", id]), process: process)
        guard replies.contains(where: { $0.1 != "true" }) else { return true }
        if replies.count > 1 {
            let granted = replies.filter { $0.1 == "true" }.map(\.0)
            _ = await multiCall(granted, .tuple(["del_lock", id]), process: process)
        }
        return false
    }

    /// `gen_server:multi_call(Nodes, global_name_server, Request)`: the answers of the nodes that
    /// answered; a node that is down or goes down does not count.
    static func multiCall(_ nodes: [Atom], _ request: Term, process: ProcessContext) async -> [(Atom, Term)] {
        var waiting: [Term: Atom] = [:]
        var monitors: [Term: Reference] = [:]
        for target in nodes {
            let reference = await process.monitor(name: GlobalProtocol.serverName, on: target)
            let tag: Term = .reference(reference)
            waiting[tag] = target
            monitors[tag] = reference
            await process.send(
                .tuple(["$gen_call", .tuple([.pid(process.pid), tag]), request]), to: GlobalProtocol.serverName,
                on: target)
        }
        var replies: [(Atom, Term)] = []
        while !waiting.isEmpty {
            let answer = try? await process.receive { message -> (Term, Term?)? in
                guard case .tuple(let t) = message else { return nil }
                if t.count == 2, waiting[t[0]] != nil { return (t[0], t[1]) }
                if t.count == 5, t[0] == "DOWN", waiting[t[1]] != nil { return (t[1], nil) }
                return nil
            }
            guard let (tag, reply) = answer ?? nil, let target = waiting.removeValue(forKey: tag) else { break }
            if let reply {
                replies.append((target, reply))
                if let reference = monitors[tag] { await process.demonitor(reference, flush: true) }
            }
        }
        return replies.sorted { $0.0 < $1.0 }
    }

    /// `random_sleep/1`: a quarter second at first, doubling up to 8 s, a random part of it.
    static func backOff(_ times: Int) -> Duration {
        let maximum = times > 5 ? 8000 : ((1 << times) * 1000) / 8
        return .milliseconds(Int.random(in: 1...max(1, maximum)))
    }

    /// Runs `body` in a new process of this node and returns its result.
    func withProcess<T: Sendable>(_ body: @escaping @Sendable (ProcessContext) async -> T) async -> T {
        await withCheckedContinuation { continuation in
            node.spawn { process in continuation.resume(returning: await body(process)) }
        }
    }
}

/// `{global, Name}` for ``ServerRef/global(_:)`` and ``ServerName/global(_:)``.
struct GlobalNameRegistry: ProcessNameRegistry {
    let names: GlobalNames

    func registerName(_ name: Term, pid: PID) async -> Bool { await names.register(name, pid) }
    func unregisterName(_ name: Term) async { await names.unregister(name) }
    func whereisName(_ name: Term) -> PID? { names.whereis(name) }
}
