public import ErlangTerm

/// The guide's `DistributedTaskRunner`: runs registered functions (`module:function(args)`) on
/// the cluster's nodes in round-robin order, and when the chosen node fails or disconnects,
/// retries on each of the other nodes in turn.
///
/// It is a ``GenServer`` (supervise it with ``childSpec(id:name:callTimeout:)``). Each selection
/// reads the node's live list of visible peers, so nodes that come up or go down are used or
/// skipped from the next task on; each task runs in a process of its own, so a slow task never holds up
/// the next submission. Results are `{ok, Result}` or `{error, all_nodes_failed}`, as in the
/// guide; ``run(_:_:_:timeout:)`` turns them into a value or a ``DistributedTaskRunnerError``.
public struct DistributedTaskRunner: Sendable {
    /// The runner's process.
    public let ref: ServerRef
    let node: Node

    /// A handle on the runner at `ref`, used from `node`.
    public init(_ ref: ServerRef, on node: Node) {
        self.ref = ref
        self.node = node
    }

    /// Starts a runner on `node`.
    ///
    /// - Parameter callTimeout: how long one node gets to answer before the next is tried.
    public static func start(
        on node: Node, name: ServerName? = .local("distributed_task_runner"), link: PID? = nil,
        callTimeout: Duration = .seconds(10)
    ) async throws -> DistributedTaskRunner {
        let pid = try await node.startServer(TaskRunnerServer(callTimeout: callTimeout), name: name, link: link)
        return DistributedTaskRunner(.pid(pid), on: node)
    }

    /// A child spec that starts a runner under a supervisor.
    public static func childSpec(
        id: Term = "distributed_task_runner", name: ServerName? = .local("distributed_task_runner"),
        callTimeout: Duration = .seconds(10)
    ) -> ChildSpec {
        ChildSpec(id: id) { node, supervisor in
            try await node.startServer(TaskRunnerServer(callTimeout: callTimeout), name: name, link: supervisor)
        }
    }

    /// Runs a task and waits for its result (`run_task/3`).
    ///
    /// - Throws: ``DistributedTaskRunnerError/allNodesFailed`` when every node failed it, or a
    ///   ``GenServerCallError`` when the runner did not answer within `timeout`.
    public func run(_ module: Atom, _ function: Atom, _ arguments: [Term], timeout: Duration? = .seconds(30))
        async throws -> Term
    {
        let reply = try await node.call(
            ref, .tuple(["run_task", .atom(module), .atom(function), .list(arguments)]), timeout: timeout)
        return try Self.value(reply)
    }

    /// Submits a task and returns at once (`run_task_async/4`); `replyTo` receives
    /// `{task_result, {Module, Function, Args}, {ok, Result} | {error, all_nodes_failed}}`.
    public func runAsync(_ module: Atom, _ function: Atom, _ arguments: [Term], replyTo: PID) async {
        await node.cast(
            ref, .tuple(["run_task_async", .atom(module), .atom(function), .list(arguments), .pid(replyTo)]))
    }

    /// The value of an `{ok, Result}` reply.
    public static func value(_ reply: Term) throws -> Term {
        if case .tuple(let parts) = reply, parts.count == 2, parts[0] == "ok" { return parts[1] }
        throw DistributedTaskRunnerError.allNodesFailed
    }
}

/// Why a task did not run.
public enum DistributedTaskRunnerError: Error, Sendable, Equatable {
    /// Every node, the chosen one and each fallback, failed the task.
    case allNodesFailed
}

/// The runner's process: picks nodes from the live node list and starts one worker process per task.
struct TaskRunnerServer: GenServer {
    let callTimeout: Duration
    var index = 0

    mutating func handleCall(_ request: Term, from: CallerRef, process: ProcessContext) async throws -> CallResult {
        guard case .tuple(let parts) = request, parts.count == 4, parts[0] == "run_task",
            case .atom(let module) = parts[1], case .atom(let function) = parts[2], case .list(let arguments) = parts[3]
        else { return .reply(.tuple(["error", "badarg"])) }
        let order = nextOrder(process.node)
        let timeout = callTimeout
        process.node.spawn { worker in
            let result = await Self.execute(module, function, arguments, on: order, timeout: timeout, in: worker)
            await worker.reply(to: from, result)
        }
        return .noReply
    }

    mutating func handleCast(_ request: Term, process: ProcessContext) async throws -> GenServerAction {
        guard case .tuple(let parts) = request, parts.count == 5, parts[0] == "run_task_async",
            case .atom(let module) = parts[1], case .atom(let function) = parts[2],
            case .list(let arguments) = parts[3],
            case .pid(let replyTo) = parts[4]
        else { return .noReply }
        let order = nextOrder(process.node)
        let timeout = callTimeout
        process.node.spawn { worker in
            let result = await Self.execute(module, function, arguments, on: order, timeout: timeout, in: worker)
            await worker.send(.tuple(["task_result", .tuple([parts[1], parts[2], parts[3]]), result]), to: replyTo)
        }
        return .noReply
    }

    /// Round-robin over this node and its visible peers; the chosen node first, then the others.
    private mutating func nextOrder(_ node: Node) -> [Atom] {
        let nodes = [node.name] + node.nodes(.visible)
        let chosen = index % nodes.count
        index += 1
        return [nodes[chosen]] + nodes.enumerated().filter { $0.offset != chosen }.map(\.element)
    }

    /// Tries each node in turn until one returns a result.
    static func execute(
        _ module: Atom, _ function: Atom, _ arguments: [Term], on nodes: [Atom], timeout: Duration,
        in process: ProcessContext
    ) async -> Term {
        for target in nodes {
            do {
                let value = try await process.rpc(target, module, function, arguments, timeout: timeout)
                return .tuple(["ok", value])
            } catch {
                process.node.distribution.logger.warning(
                    "task \(module.name):\(function.name) failed on \(target): \(error)")
            }
        }
        return .tuple(["error", "all_nodes_failed"])
    }
}
