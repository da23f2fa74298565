public import Distributed
public import ErlangTerm
import Synchronization

/// Swift's `distributed actor`s on a Colony cluster.
///
/// Each actor instance is a Colony process: its ``ColonyActorID`` is (or names) that process, a
/// call is a `gen_server` call to it, and the process runs one invocation at a time, in the order
/// the calls arrive — so calls from one caller run in the order they were made, and an
/// invocation that suspends is never interleaved with another (unlike a plain Swift actor's
/// reentrancy, or a runtime that starts a task per invocation). The process holds the actor, as
/// a BEAM process holds its state: the actor lives until its process ends (``stop(_:)``, an exit
/// signal from a link or supervisor).
///
/// Arguments and results are `Codable` and travel as terms (``TermEncoder``), not JSON. A call
/// fails with ``ColonyActorError``: the method threw (`remote`), the node is down (`nodeDown`), no
/// reply in time (`timeout`, default ``defaultCallTimeout``, per call with
/// ``withCallTimeout(_:_:)``), or the actor is gone (`actorGone`).
///
/// Any OTP node can call an actor through its pid: `gen_server:call(Pid, {invoke, Target, Args})`
/// with `Target` the method's mangled identifier (a binary) and `Args` the argument terms; the
/// reply is `{ok, Result}`, `ok` for a method without result, or `{error, {Type, Description}}`.
public final class ColonyActorSystem: DistributedActorSystem, Sendable {
    public typealias ActorID = ColonyActorID
    public typealias InvocationEncoder = ColonyInvocationEncoder
    public typealias InvocationDecoder = ColonyInvocationDecoder
    public typealias ResultHandler = ColonyResultHandler
    public typealias SerializationRequirement = Codable

    /// The node the system's local actors live on.
    public let node: Node
    /// How long a call waits for its reply unless ``withCallTimeout(_:_:)`` says otherwise.
    public let defaultCallTimeout: Duration?

    /// The local actors, by process; the process's existence is the actor's.
    private let actors = Mutex<[PID: any DistributedActor]>([:])

    /// The types incoming calls may use as generic substitutions, by mangled name.
    private let allowedTypes = Mutex<[String: any Any.Type]>([:])

    @TaskLocal static var callTimeoutOverride: Duration?? = nil

    /// Allows `type` as a generic substitution in calls this node receives: a generic distributed
    /// method called with `T == type`, or a `@Resolvable` protocol's stub (`$Protocol.self`), which
    /// calls through the protocol name. Type names from the wire resolve only to allowed types: a
    /// call naming any other type is refused.
    public func allowGenericType<T>(_ type: T.Type) {
        let name = _mangledTypeName(type) ?? String(reflecting: type)
        allowedTypes.withLock { $0[name] = type }
    }

    /// A system for actors on `node`.
    public init(node: Node, defaultCallTimeout: Duration? = .seconds(5)) {
        self.node = node
        self.defaultCallTimeout = defaultCallTimeout
    }

    // MARK: - Actor lifecycle

    public func assignID<Act>(_ actorType: Act.Type) -> ColonyActorID where Act: DistributedActor {
        let own = Mutex<PID?>(nil)
        let pid = node.spawnReactor(
            link: nil, initial: (),
            onExit: { [weak self] _ in
                if let pid = own.withLock({ $0 }) { self?.forget(pid) }
            },
            { [weak self] _, message, process in
                guard let self else { return .stop(.atom(ExitReasons.shutdown)) }
                return await self.handle(message, process: process)
            })
        own.withLock { $0 = pid }
        return ColonyActorID(pid: pid)
    }

    public func actorReady<Act>(_ actor: Act) where Act: DistributedActor, Act.ID == ColonyActorID {
        guard let pid = actor.id.pid else { return }
        actors.withLock { $0[pid] = actor }
    }

    public func resignID(_ id: ColonyActorID) {
        guard let pid = id.pid else { return }
        forget(pid)
        Task { [node] in await node.send(Self.stopMessage(.atom(ExitReasons.normal)), to: pid) }
    }

    public func resolve<Act>(id: ColonyActorID, as actorType: Act.Type) throws -> Act?
    where Act: DistributedActor, Act.ID == ColonyActorID {
        guard id.node == node.name else { return nil }
        guard let pid = id.pid ?? id.name.flatMap(node.whereis), let actor = actors.withLock({ $0[pid] }) else {
            throw ColonyActorError.actorGone(id)
        }
        guard let typed = actor as? Act else { throw ColonyActorError.invocation("\(id) is a \(type(of: actor))") }
        return typed
    }

    /// Drops a local actor whose process ended.
    private func forget(_ pid: PID) {
        _ = actors.withLock { $0.removeValue(forKey: pid) }
    }

    /// Ends an actor's process with `reason` once the invocation in progress, if any, is done.
    static func stopMessage(_ reason: Term) -> Term { .tuple(["$colony_actor_stop", reason]) }

    // MARK: - Names, stopping, watching

    /// Registers a local actor's process under `name` on its node, so that others resolve it with
    /// ``resolve(name:on:as:)``. `false` when the name is taken.
    @discardableResult
    public func register<Act>(_ actor: Act, as name: Atom) -> Bool
    where Act: DistributedActor, Act.ID == ColonyActorID {
        guard let pid = actor.id.pid, pid.node == node.name else { return false }
        return node.register(name, pid: pid)
    }

    /// The actor registered as `name` on `node` (a remote reference when it is another node).
    public func resolve<Act>(name: Atom, on remote: Atom, as actorType: Act.Type) throws -> Act
    where Act: DistributedActor, Act.ID == ColonyActorID, Act.ActorSystem == ColonyActorSystem {
        try Act.resolve(id: ColonyActorID(name: name, node: remote), using: self)
    }

    /// Ends an actor's process with `reason` (default `shutdown`) after the invocation it is
    /// running, if any; links and watchers see the reason.
    public func stop(_ id: ColonyActorID, reason: Term = .atom(ExitReasons.shutdown)) async {
        if let pid = id.pid {
            await node.send(Self.stopMessage(reason), to: pid)
        } else if let name = id.name {
            await node.send(Self.stopMessage(reason), to: name, on: id.node)
        }
    }

    /// Starts watching an actor (a monitor on its process, as `Process.monitor/1`); the returned
    /// watch reports why it ended: its exit reason, `noconnection` when its node went down,
    /// `noproc` when it was already gone.
    public func watch(_ id: ColonyActorID) async -> ActorWatch {
        let (events, continuation) = AsyncStream<Term?>.makeStream()
        node.spawn { process in
            let reference: Reference
            if let pid = id.pid {
                reference = await process.monitor(pid)
            } else {
                reference = await process.monitor(name: id.name ?? "undefined", on: id.node)
            }
            continuation.yield(nil)
            let reason = try await process.receive { message -> Term? in
                guard case .tuple(let t) = message, t.count == 5, t[1] == .reference(reference) else { return nil }
                return t[4]
            }
            continuation.yield(reason ?? .atom(ExitReasons.normal))
            continuation.finish()
        }
        var iterator = events.makeAsyncIterator()
        _ = await iterator.next()
        return ActorWatch(task: Task { (await iterator.next() ?? nil) ?? .atom(ExitReasons.normal) })
    }

    /// Runs `body` with calls waiting at most `timeout` (`nil`: as long as the actor lives).
    public func withCallTimeout<T>(_ timeout: Duration?, _ body: () async throws -> T) async rethrows -> T {
        try await Self.$callTimeoutOverride.withValue(.some(timeout)) { try await body() }
    }

    // MARK: - Calls

    public func makeInvocationEncoder() -> ColonyInvocationEncoder { ColonyInvocationEncoder() }

    public func remoteCall<Act, Err, Res>(
        on actor: Act, target: RemoteCallTarget, invocation: inout ColonyInvocationEncoder, throwing: Err.Type,
        returning: Res.Type
    ) async throws -> Res where Act: DistributedActor, Act.ID == ColonyActorID, Err: Error, Res: Codable {
        let reply = try await invoke(actor.id, target: target, invocation: invocation)
        guard case .tuple(let parts) = reply, parts.count == 2, parts[0] == "ok" else { throw Self.failure(reply) }
        do {
            return try TermDecoder().decode(Res.self, from: parts[1])
        } catch {
            throw ColonyActorError.coding("reply: \(error)")
        }
    }

    public func remoteCallVoid<Act, Err>(
        on actor: Act, target: RemoteCallTarget, invocation: inout ColonyInvocationEncoder, throwing: Err.Type
    ) async throws where Act: DistributedActor, Act.ID == ColonyActorID, Err: Error {
        let reply = try await invoke(actor.id, target: target, invocation: invocation)
        guard reply == "ok" else { throw Self.failure(reply) }
    }

    private func invoke(_ id: ColonyActorID, target: RemoteCallTarget, invocation: ColonyInvocationEncoder)
        async throws -> Term
    {
        let request: Term = .tuple([
            "invoke", .string(target.identifier), .list(invocation.arguments),
            .list(invocation.genericSubstitutions.map(Term.string)),
        ])
        let timeout = Self.callTimeoutOverride ?? defaultCallTimeout
        do {
            return try await node.call(id.server, request, timeout: timeout)
        } catch let error as GenServerCallError {
            switch error.reason {
            case .noproc: throw ColonyActorError.actorGone(id)
            case .nodedown(let down): throw ColonyActorError.nodeDown(down)
            case .timeout: throw ColonyActorError.timeout
            case .exit(let reason): throw ColonyActorError.exited(reason)
            }
        }
    }

    private static func failure(_ reply: Term) -> ColonyActorError {
        if case .tuple(let parts) = reply, parts.count == 2, parts[0] == "error", case .tuple(let detail) = parts[1],
            detail.count == 2, let type = detail[0].stringValue, let description = detail[1].stringValue
        {
            return type == "invocation" ? .invocation(description) : .remote(type: type, description: description)
        }
        return .coding("unexpected reply \(reply)")
    }

    // MARK: - The actor's process

    /// Runs one invocation to completion before the process takes the next message.
    private func handle(_ message: Term, process: ProcessContext) async -> ReactorAction {
        if case .tuple(let parts) = message, parts.count == 2, parts[0] == "$colony_actor_stop" {
            return .stop(parts[1])
        }
        guard case .tuple(let parts) = message, parts.count == 3, parts[0] == "$gen_call",
            let from = CallerRef(parts[1])
        else { return .continue }
        guard case .tuple(let request) = parts[2], request.count >= 3, request[0] == "invoke",
            let identifier = request[1].stringValue, case .list(let arguments) = request[2]
        else {
            await process.reply(to: from, Self.invocationError("expected {invoke, Target, Args}"))
            return .continue
        }
        var substitutions: [String] = []
        if request.count >= 4, case .list(let names) = request[3] { substitutions = names.compactMap(\.stringValue) }
        guard let actor = actors.withLock({ $0[process.pid] }) else {
            await process.reply(to: from, Self.invocationError("actor gone"))
            return .stop(.atom(ExitReasons.normal))
        }
        var decoder = ColonyInvocationDecoder(
            arguments: arguments, genericSubstitutions: substitutions, allowedTypes: allowedTypes.withLock { $0 })
        let handler = ColonyResultHandler()
        do {
            try await executeDistributedTarget(
                on: actor, target: RemoteCallTarget(identifier), invocationDecoder: &decoder, handler: handler)
        } catch {
            handler.reply = Self.invocationError(String(describing: error))
        }
        await process.reply(to: from, handler.reply)
        return .continue
    }

    private static func invocationError(_ description: String) -> Term {
        .tuple(["error", .tuple([.string("invocation"), .string(description)])])
    }
}

/// A watch on a distributed actor, from ``ColonyActorSystem/watch(_:)``.
public struct ActorWatch: Sendable {
    let task: Task<Term, Never>

    /// Waits until the actor ends and returns why.
    public func reason() async -> Term { await task.value }
}

extension ChildSpec {
    /// A child that is a distributed actor: each start (and restart) makes a new instance with
    /// `make`, links its process to the supervisor and, with `name`, registers it, so callers that
    /// resolve it by name reach the restarted instance.
    public static func actor<Act>(
        id: Term, system: ColonyActorSystem, name: Atom? = nil, restart: Restart = .permanent,
        shutdown: Shutdown? = nil, _ make: @escaping @Sendable (ColonyActorSystem) -> Act
    ) -> ChildSpec where Act: DistributedActor, Act.ID == ColonyActorID {
        ChildSpec(id: id, restart: restart, shutdown: shutdown, type: .worker) { node, supervisor in
            let actor = make(system)
            guard let pid = actor.id.pid else { throw ColonyActorError.actorGone(actor.id) }
            await node.link(pid, supervisor)
            if let name, !node.register(name, pid: pid) {
                await system.stop(actor.id)
                throw ProcessExit(.tuple(["already_registered", .atom(name)]))
            }
            return pid
        }
    }
}
