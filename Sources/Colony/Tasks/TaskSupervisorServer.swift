import ErlangTerm

/// The task supervisor's process: starts tasks linked to itself, never restarts them (they are
/// temporary, as in Elixir's `Task.Supervisor`), and shuts them all down when it stops.
///
/// Requests (calls):
/// - `{start_local, Ref, Owner | undefined}`: run the closure left in the node's table under
///   `Ref`; with an owner, the task waits for `{'$colony_task_go', Owner, Tag}` first and sends
///   the owner `{Tag, Result}`.
/// - `{start_function, Module, Function, Args, Owner | undefined}`: the same with a function
///   registered on this node (how a remote node starts a task here).
/// - `which_children` → list of pids; `count_children` → count; `{terminate_child, Pid}` → `ok`
///   or `{error, not_found}`.
///
/// Replies to starts: `{ok, Pid}`, `{error, max_children}` or `{error, {undef, Module, Function,
/// Arity}}`.
struct TaskSupervisorServer: GenServer {
    var children: Set<PID> = []
    let maxChildren: Int?
    let shutdown: Duration

    mutating func initialize(process: ProcessContext) async throws -> GenServerStart {
        process.trapExit = true
        return .ready
    }

    mutating func handleCall(_ request: Term, from: CallerRef, process: ProcessContext) async throws -> CallResult {
        if request == "which_children" { return .reply(.list(children.map(Term.pid))) }
        if request == "count_children" { return .reply(.integer(children.count)) }
        guard case .tuple(let parts) = request, let kind = parts.first else {
            return .reply(.tuple(["error", .tuple(["unknown_request", request])]))
        }
        switch (kind, parts.count) {
        case (.atom("terminate_child"), 2):
            guard case .pid(let pid) = parts[1], children.contains(pid) else {
                return .reply(.tuple(["error", "not_found"]))
            }
            await Self.shutDown([pid], within: shutdown, process: process)
            children.remove(pid)
            return .reply("ok")
        case (.atom("start_local"), 3):
            guard case .reference(let reference) = parts[1], let body = process.node.taskBodies.take(reference) else {
                return .reply(.tuple(["error", "no_task_body"]))
            }
            return .reply(start(body, owner: parts[2], process: process))
        case (.atom("start_function"), 5):
            guard case .atom(let module) = parts[1], case .atom(let function) = parts[2],
                case .list(let arguments) = parts[3]
            else { return .reply(.tuple(["error", "badarg"])) }
            guard let body = process.node.functions.lookup(module: module, function: function) else {
                return .reply(.tuple(["error", .tuple(["undef", parts[1], parts[2], .integer(arguments.count)])]))
            }
            return .reply(start({ try await body(arguments, $0) }, owner: parts[4], process: process))
        default:
            return .reply(.tuple(["error", .tuple(["unknown_request", request])]))
        }
    }

    mutating func handleInfo(_ message: Term, process: ProcessContext) async throws -> GenServerAction {
        if case .tuple(let parts) = message, parts.count == 3, parts[0] == "EXIT", case .pid(let pid) = parts[1] {
            children.remove(pid)
        }
        return .noReply
    }

    mutating func terminate(reason: Term, process: ProcessContext) async {
        await Self.shutDown(Array(children), within: shutdown, process: process)
        children.removeAll()
    }

    private mutating func start(_ body: @escaping TaskBody, owner: Term, process: ProcessContext) -> Term {
        if let maxChildren, children.count >= maxChildren { return .tuple(["error", "max_children"]) }
        let ownerPID: PID? = if case .pid(let pid) = owner { pid } else { nil }
        let pid = process.node.spawn(link: process.pid) { task in
            try await TaskProcess.run(body, owner: ownerPID, task: task)
        }
        children.insert(pid)
        return .tuple(["ok", .pid(pid)])
    }

    /// Sends `shutdown` to each task, waits up to `within` for their exits, then kills the rest.
    static func shutDown(_ tasks: [PID], within: Duration, process: ProcessContext) async {
        var waiting = Set(tasks)
        for pid in tasks { await process.exit(pid, reason: .atom(ExitReasons.shutdown)) }
        let deadline = ContinuousClock.now + within
        while !waiting.isEmpty {
            let remaining = deadline - ContinuousClock.now
            let exited = try? await process.receive(timeout: max(remaining, .zero)) { message -> PID? in
                guard case .tuple(let parts) = message, parts.count == 3, parts[0] == "EXIT",
                    case .pid(let pid) = parts[1],
                    waiting.contains(pid)
                else { return nil }
                return pid
            }
            guard let pid = exited else { break }
            waiting.remove(pid)
        }
        for pid in waiting { await process.exit(pid, reason: .atom(ExitReasons.kill)) }
    }
}

/// The body of every supervised task process.
enum TaskProcess {
    static let go: Atom = "$colony_task_go"

    /// Runs `body`; with an owner, first waits for the owner's go-ahead (which carries the tag
    /// the owner monitors the task under) and then sends it `{Tag, Result}`. If the owner ends
    /// before saying go, the task ends with the owner's reason, unstarted.
    static func run(_ body: TaskBody, owner: PID?, task: ProcessContext) async throws {
        guard let owner else {
            _ = try await body(task)
            return
        }
        let watch = await task.monitor(owner)
        let tag = try await task.receive { message -> Term? in
            guard case .tuple(let parts) = message else { return nil }
            if parts.count == 3, parts[0] == .atom(go), parts[1] == .pid(owner) { return parts[2] }
            if parts.count == 5, parts[0] == "DOWN", parts[1] == .reference(watch) { throw ProcessExit(parts[4]) }
            return nil
        }
        await task.demonitor(watch, flush: true)
        guard let tag else { return }
        let result = try await body(task)
        await task.send(.tuple([tag, result]), to: owner)
    }
}
