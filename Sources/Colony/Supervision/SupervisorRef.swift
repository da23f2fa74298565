public import ErlangTerm

/// A typed client for a supervisor started by ``Node/startSupervisor(strategy:children:maxRestarts:maxSeconds:name:link:)``:
/// OTP's `supervisor` API functions, returning Swift values.
///
/// ```swift
/// let supervisor = SupervisorRef(.pid(try await node.startSupervisor(children: [cache, pool])), on: node)
/// for child in try await supervisor.whichChildren() { print(child.id, child.status) }
/// try await supervisor.terminateChild("pool")
/// let pool = try await supervisor.restartChild("pool")
/// ```
///
/// The requests are `gen_server` calls with OTP's terms, so the same supervisor answers
/// `supervisor:which_children({Name, Node})` from an Erlang node, and this client works against
/// an OTP supervisor too (except ``startChild(_:)``, whose spec holds a Swift closure and so
/// only reaches a supervisor on this node).
public struct SupervisorRef: Sendable {
    /// The node the calls are made from.
    public let node: Node
    /// The supervisor.
    public let server: ServerRef
    /// How long a call waits for the reply; `nil`, the default, waits as long as the supervisor
    /// lives (OTP's `infinity`: stopping a child can take its whole shutdown time).
    public var timeout: Duration?

    /// A client for `server`, calling from `node`.
    public init(_ server: ServerRef, on node: Node, timeout: Duration? = nil) {
        self.server = server
        self.node = node
        self.timeout = timeout
    }

    /// The children in start order (`supervisor:which_children/1`).
    ///
    /// - Throws: ``GenServerCallError`` when the supervisor cannot be reached.
    public func whichChildren() async throws -> [SupervisorChild] {
        try await SupervisorClient.whichChildren(call("which_children"))
    }

    /// How many children there are, run, and of which type (`supervisor:count_children/1`).
    public func countChildren() async throws -> ChildCounts {
        try await SupervisorClient.counts(call("count_children"))
    }

    /// Stops the child with this id (`supervisor:terminate_child/2`). It stays in the list, not
    /// running, unless it is temporary; ``restartChild(_:)`` starts it again.
    ///
    /// - Throws: ``SupervisorError/notFound``.
    public func terminateChild(_ id: Term) async throws {
        try SupervisorClient.ok(await call(.tuple(["terminate_child", id])))
    }

    /// Starts a child that is in the list but not running (`supervisor:restart_child/2`).
    ///
    /// - Returns: the child's new pid.
    /// - Throws: ``SupervisorError``: `running`, `restarting`, `notFound`, `ignored`, or
    ///   `startFailed(reason)`.
    @discardableResult
    public func restartChild(_ id: Term) async throws -> PID {
        try SupervisorClient.started(await call(.tuple(["restart_child", id]))) { reason in
            switch reason {
            case "running": .running
            case "restarting": .restarting
            case "not_found": .notFound
            default: .startFailed(reason: reason)
            }
        }
    }

    /// Removes a child that is not running (`supervisor:delete_child/2`).
    ///
    /// - Throws: ``SupervisorError``: `running`, `restarting` or `notFound`.
    public func deleteChild(_ id: Term) async throws {
        try SupervisorClient.ok(await call(.tuple(["delete_child", id])))
    }

    /// Adds a child and starts it, after the others (`supervisor:start_child/2`).
    ///
    /// - Returns: the child's pid.
    /// - Throws: ``SupervisorError``: `alreadyStarted(pid)`, `alreadyPresent`, `ignored` (the
    ///   child is kept, not running, unless temporary), `startFailed(reason)`, or
    ///   `notSupported` when the supervisor is on another node.
    @discardableResult
    public func startChild(_ spec: ChildSpec) async throws -> PID {
        try await SupervisorClient.startChild(spec, server: server, node: node, timeout: timeout) { reason in
            switch reason {
            case "already_present": return .alreadyPresent
            case .tuple(let parts) where parts.count == 2 && parts[0] == "already_started":
                if case .pid(let pid) = parts[1] { return .alreadyStarted(pid) }
                return .unexpectedReply(reason)
            case .tuple(let parts) where parts.count == 2 && parts[1].mapValue != nil:
                return .startFailed(reason: parts[0])
            default:
                return .startFailed(reason: reason)
            }
        }
    }

    private func call(_ request: Term) async throws -> Term {
        try await node.call(server, request, timeout: timeout)
    }
}

/// A typed client for a supervisor started by ``Node/startDynamicSupervisor(maxChildren:maxRestarts:maxSeconds:name:link:)``.
///
/// ```swift
/// let sessions = DynamicSupervisorRef(.name("sessions"), on: node)
/// let session = try await sessions.startChild(.server(id: "session", Session(user: id), restart: .temporary))
/// try await sessions.terminateChild(session)
/// ```
public struct DynamicSupervisorRef: Sendable {
    /// The node the calls are made from.
    public let node: Node
    /// The supervisor.
    public let server: ServerRef
    /// How long a call waits for the reply; `nil` waits as long as the supervisor lives.
    public var timeout: Duration?

    /// A client for `server`, calling from `node`.
    public init(_ server: ServerRef, on node: Node, timeout: Duration? = nil) {
        self.server = server
        self.node = node
        self.timeout = timeout
    }

    /// Starts a child under the supervisor. The spec's `id` is not used to tell children apart
    /// (they are known by pid), so many children may share one spec.
    ///
    /// - Returns: the child's pid.
    /// - Throws: ``SupervisorError``: `maxChildren`, `ignored`, `startFailed(reason)`, or
    ///   `notSupported` when the supervisor is on another node.
    @discardableResult
    public func startChild(_ spec: ChildSpec) async throws -> PID {
        try await SupervisorClient.startChild(spec, server: server, node: node, timeout: timeout) { reason in
            reason == "max_children" ? .maxChildren : .startFailed(reason: reason)
        }
    }

    /// Stops the child running as `pid` and forgets it.
    ///
    /// - Throws: ``SupervisorError/notFound``.
    public func terminateChild(_ pid: PID) async throws {
        try SupervisorClient.ok(await node.call(server, .tuple(["terminate_child", .pid(pid)]), timeout: timeout))
    }

    /// The children in start order; their ids are `undefined`.
    public func whichChildren() async throws -> [SupervisorChild] {
        try SupervisorClient.whichChildren(await node.call(server, "which_children", timeout: timeout))
    }

    /// How many children there are, run, and of which type.
    public func countChildren() async throws -> ChildCounts {
        try SupervisorClient.counts(await node.call(server, "count_children", timeout: timeout))
    }
}

/// Reading the replies of both clients.
enum SupervisorClient {
    static func whichChildren(_ reply: Term) throws -> [SupervisorChild] {
        guard case .list(let items) = reply else { throw SupervisorError.unexpectedReply(reply) }
        return try items.map { item in
            guard let child = SupervisorChild(item) else { throw SupervisorError.unexpectedReply(reply) }
            return child
        }
    }

    static func counts(_ reply: Term) throws -> ChildCounts {
        guard let counts = ChildCounts(reply) else { throw SupervisorError.unexpectedReply(reply) }
        return counts
    }

    /// `ok`, or `{error, Reason}` thrown as the matching ``SupervisorError``.
    static func ok(_ reply: Term) throws {
        if reply == .ok { return }
        guard case .tuple(let parts) = reply, parts.count == 2, parts[0] == "error" else {
            throw SupervisorError.unexpectedReply(reply)
        }
        switch parts[1] {
        case "not_found": throw SupervisorError.notFound
        case "running": throw SupervisorError.running
        case "restarting": throw SupervisorError.restarting
        case "simple_one_for_one": throw SupervisorError.notSupported(parts[1])
        default: throw SupervisorError.unexpectedReply(reply)
        }
    }

    /// `{ok, Pid}` (also `{ok, Pid, Info}`), `{ok, undefined}` thrown as `ignored`, or
    /// `{error, Reason}` thrown as `error(Reason)`.
    static func started(_ reply: Term, error: (Term) -> SupervisorError) throws -> PID {
        guard case .tuple(let parts) = reply, parts.count >= 2 else { throw SupervisorError.unexpectedReply(reply) }
        switch (parts[0], parts[1]) {
        case ("ok", .pid(let pid)): return pid
        case ("ok", "undefined"): throw SupervisorError.ignored
        case ("error", "simple_one_for_one") where parts.count == 2: throw SupervisorError.notSupported(parts[1])
        case ("error", let reason) where parts.count == 2: throw error(reason)
        default: throw SupervisorError.unexpectedReply(reply)
        }
    }

    /// Hands `spec` over through ``PendingChildSpecs`` and calls `{start_child, Token}`.
    static func startChild(
        _ spec: ChildSpec, server: ServerRef, node: Node, timeout: Duration?, error: (Term) -> SupervisorError
    ) async throws -> PID {
        let remote: Atom? =
            switch server {
            case .pid(let pid): pid.node
            case .remote(_, let other): other
            case .name, .via, .global: nil
            }
        if let remote, remote != node.name {
            throw SupervisorError.notSupported(.tuple(["start_child", .atom(remote)]))
        }
        let (token, term) = PendingChildSpecs.deposit(spec)
        defer { _ = PendingChildSpecs.take(token) }
        return try started(await node.call(server, .tuple(["start_child", term]), timeout: timeout), error: error)
    }
}
