public import ErlangTerm

/// Elixir's `Task.Supervisor`: a supervisor of short-lived tasks. Tasks are temporary (never
/// restarted); when the supervisor stops, its tasks get `shutdown` and, after the shutdown
/// timeout, `kill`.
///
/// A task's body is a Swift closure when the supervisor is on the caller's node, or a function
/// registered in the target node's ``Node/functions`` when it is anywhere (closures cannot
/// travel between OS processes; names can). Results come back as `{Tag, Result}` to the owner,
/// which monitors the task, so a failing task or a lost node shows up as an error in
/// ``SupervisedTask/await(in:timeout:)``.
public struct TaskSupervisor: Sendable {
    /// The supervisor's process.
    public let ref: ServerRef

    /// A handle on the task supervisor at `ref` (for example `.remote("tasks", node: peer)`).
    public init(_ ref: ServerRef) {
        self.ref = ref
    }

    /// Starts a task supervisor.
    ///
    /// - Parameters:
    ///   - node: where it runs.
    ///   - name: a name to register it under.
    ///   - link: its parent (a supervisor), if any.
    ///   - maxChildren: the most tasks at once; starts beyond it fail with `max_children`.
    ///   - shutdown: how long tasks get to end after `shutdown` before they are killed.
    public static func start(
        on node: Node, name: ServerName? = nil, link: PID? = nil, maxChildren: Int? = nil,
        shutdown: Duration = .seconds(5)
    ) async throws -> TaskSupervisor {
        let server = TaskSupervisorServer(maxChildren: maxChildren, shutdown: shutdown)
        let pid = try await node.startServer(server, name: name, link: link)
        return TaskSupervisor(.pid(pid))
    }

    // MARK: - Starting tasks

    /// Starts a task that nobody awaits (`Task.Supervisor.start_child/2`); returns its pid.
    @discardableResult
    public func startChild(on node: Node, _ body: @escaping @Sendable (ProcessContext) async throws -> Void)
        async throws -> PID
    {
        try await startLocal(on: node, owner: nil) { process in
            try await body(process)
            return .atom(ExitReasons.normal)
        }
    }

    /// Starts a task whose result the calling process awaits, not linked to it
    /// (`Task.Supervisor.async_nolink/2`): if it fails, ``SupervisedTask/await(in:timeout:)``
    /// throws and the caller lives on.
    public func asyncNoLink(from process: ProcessContext, _ body: @escaping TaskBody) async throws -> SupervisedTask {
        let pid = try await startLocal(on: process.node, owner: process.pid, body)
        return await handOver(pid, to: process, link: false)
    }

    /// Like ``asyncNoLink(from:_:)`` but linked to the caller (`Task.Supervisor.async/2`): if the
    /// task fails, the caller gets its exit signal, as in Elixir.
    public func async(from process: ProcessContext, _ body: @escaping TaskBody) async throws -> SupervisedTask {
        let pid = try await startLocal(on: process.node, owner: process.pid, body)
        return await handOver(pid, to: process, link: true)
    }

    /// Starts `module:function(arguments)` (a function registered on the supervisor's node) as a
    /// task whose result the caller awaits, not linked to it. Works with a supervisor on any node.
    public func asyncNoLink(from process: ProcessContext, module: Atom, function: Atom, arguments: [Term])
        async throws -> SupervisedTask
    {
        let pid = try await startFunction(from: process, module: module, function: function, arguments: arguments)
        return await handOver(pid, to: process, link: false)
    }

    /// Like ``asyncNoLink(from:module:function:arguments:)`` but linked to the caller.
    public func async(from process: ProcessContext, module: Atom, function: Atom, arguments: [Term]) async throws
        -> SupervisedTask
    {
        let pid = try await startFunction(from: process, module: module, function: function, arguments: arguments)
        return await handOver(pid, to: process, link: true)
    }

    // MARK: - Children

    /// The tasks running now.
    public func children(on node: Node) async throws -> [PID] {
        guard case .list(let pids) = try await node.call(ref, "which_children") else { return [] }
        return pids.compactMap { if case .pid(let pid) = $0 { pid } else { nil } }
    }

    /// Stops one task (`shutdown`, then `kill` after the shutdown timeout). `false` if it is not
    /// one of this supervisor's tasks.
    @discardableResult
    public func terminateChild(_ pid: PID, on node: Node) async throws -> Bool {
        try await node.call(ref, .tuple(["terminate_child", .pid(pid)]), timeout: nil) == "ok"
    }

    // MARK: - Internals

    private func startLocal(on node: Node, owner: PID?, _ body: @escaping TaskBody) async throws -> PID {
        if case .remote(_, let remote) = ref, remote != node.name {
            throw TaskSupervisorError.closureOnRemoteNode(remote)
        }
        let key = node.makeReference()
        node.taskBodies.put(body, under: key)
        let request: Term = .tuple(["start_local", .reference(key), owner.map(Term.pid) ?? "undefined"])
        do {
            return try Self.startedPID(try await node.call(ref, request))
        } catch {
            _ = node.taskBodies.take(key)
            throw error
        }
    }

    private func startFunction(from process: ProcessContext, module: Atom, function: Atom, arguments: [Term])
        async throws -> PID
    {
        let request: Term = .tuple([
            "start_function", .atom(module), .atom(function), .list(arguments), .pid(process.pid),
        ])
        return try Self.startedPID(try await process.call(ref, request))
    }

    private static func startedPID(_ reply: Term) throws -> PID {
        if case .tuple(let parts) = reply, parts.count == 2, parts[0] == "ok", case .pid(let pid) = parts[1] {
            return pid
        }
        if case .tuple(let parts) = reply, parts.count == 2, parts[0] == "error" {
            throw TaskSupervisorError.refused(parts[1])
        }
        throw TaskSupervisorError.refused(reply)
    }

    /// Monitors (and links) the new task and tells it to run, with the monitor's reference as the
    /// tag of its result.
    private func handOver(_ pid: PID, to process: ProcessContext, link: Bool) async -> SupervisedTask {
        if link { await process.link(pid) }
        let reference = await process.monitor(pid)
        await process.send(.tuple([.atom(TaskProcess.go), .pid(process.pid), .reference(reference)]), to: pid)
        return SupervisedTask(pid: pid, reference: reference)
    }
}

/// Why a task supervisor did not start a task.
public enum TaskSupervisorError: Error, Sendable, Equatable {
    /// A closure was given to a supervisor on another node; start a registered function instead.
    case closureOnRemoteNode(Atom)
    /// The supervisor refused: `max_children`, `{undef, Module, Function, Arity}`, ...
    case refused(Term)
}
