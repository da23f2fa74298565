public import Colony
public import ErlangTerm

/// Registering names and taking locks, as `global`'s API functions do it: from the calling
/// process, with `gen_server` calls to the name server of every node concerned.
extension GlobalNames {
    /// Registers `pid` as `name` on every node (`global:register_name/3`); `false` when the name
    /// is taken or `pid` already has a global name. Safe against races: it runs under global's
    /// own lock on every known node, as OTP's does.
    public func register(_ name: Term, _ pid: PID, resolve: GlobalConflictResolution = .exitRandom) async -> Bool {
        await withProcess { process in
            await self.registering(name, resolve: resolve, process: process) { nodes in
                guard self.whereis(name) == nil, !self.registrations.contains(where: { $0.pid == pid }) else {
                    return false
                }
                _ = await Self.multiCall(
                    nodes, .tuple(["register", name, .pid(pid), resolve.method]), process: process)
                return true
            }
        }
    }

    /// Registers `pid` as `name` whether or not the name is taken (`global:re_register_name/3`).
    public func reregister(_ name: Term, _ pid: PID, resolve: GlobalConflictResolution = .exitRandom) async {
        await withProcess { process in
            _ = await self.registering(name, resolve: resolve, process: process) { nodes in
                _ = await Self.multiCall(
                    nodes, .tuple(["register", name, .pid(pid), resolve.method]), process: process)
                return true
            }
        }
    }

    /// Removes `name` on every node (`global:unregister_name/1`).
    public func unregister(_ name: Term) async {
        guard whereis(name) != nil || registeredNames.contains(name) else { return }
        await withProcess { process in
            _ = await self.transAllKnown(process: process) { nodes in
                _ = await Self.multiCall(nodes, .tuple(["unregister", name]), process: process)
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

    /// `trans_all_known/1`: global's own lock on every known node (making sure none became known
    /// meanwhile), then `body` with those nodes, then the lock goes.
    func transAllKnown(process: ProcessContext, _ body: ([Atom]) async -> Bool) async -> Bool {
        let id: Term = .tuple([GlobalProtocol.globalResource, .pid(process.pid)])
        var times = 0
        var nodes: [Atom] = []
        while true {
            let known = knownNodes
            nodes = [node.name] + known
            let boss = nodes.max() ?? node.name
            if await Self.setLockOnNodes(id, [boss], process: process) {
                if await Self.setLockOnNodes(id, nodes, process: process), Set(knownNodes).isSubset(of: known) {
                    break
                }
                _ = await Self.multiCall([boss], .tuple(["del_lock", id]), process: process)
            }
            try? await Task.sleep(for: Self.backOff(times))
            times += 1
        }
        let result = await body(nodes)
        // delete_global_lock/2: the boss last.
        let boss = nodes.max() ?? node.name
        _ = await Self.multiCall(nodes.filter { $0 != boss }, .tuple(["del_lock", id]), process: process)
        _ = await Self.multiCall([boss], .tuple(["del_lock", id]), process: process)
        return result
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
