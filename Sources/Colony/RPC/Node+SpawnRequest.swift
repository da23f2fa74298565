import ErlangDistribution
import ErlangTerm

/// Remote spawn, as OTP 23+ does it: a peer's `spawn_request(Node, M, F, Args, Opts)` arrives as
/// `SPAWN_REQUEST {29, ReqId, From, GroupLeader, {M, F, Arity}, Opts}` with the argument list as
/// payload; the node starts a process, answers `SPAWN_REPLY {31, ReqId, From, Flags, Pid}` (flags:
/// 1 = linked, 2 = monitored under `ReqId`) before the process can exit, and the process then runs.
///
/// What a Colony process can run is Swift code registered in ``Node/functions``:
/// - `erpc:execute_call(Ref, M, F, Args)`, which `erpc:call`, `rpc:call`, `rpc:multicall` and
///   `rpc:async_call` send: run `M:F(Args)` and exit with `{Ref, return, Result}` (or `{Ref, throw,
///   T}`, `{Ref, exit, R}`, `{Ref, error, Reason, Stack}`); the caller reads the result from the
///   `DOWN` of its monitor.
/// - `erpc:execute_cast(M, F, Args)` (`erpc:cast`, `rpc:cast`): run it, nothing to answer.
/// - any other `M:F` registered here: run it with the arguments.
/// Anything else starts a process that exits with `{undef, [{M, F, Args, []}]}`, as on a BEAM node.
extension Node {
    func handleSpawnRequest(
        id: Reference, from: PID, module: Atom, function: Atom, options: Term, arguments: Term?,
        connection: DistributionConnection, trace: Term? = nil
    ) {
        var linked = false
        var monitored = false
        if case .list(let list) = options {
            for option in list {
                if option == "link" { linked = true }
                if option == "monitor" { monitored = true }
            }
        }
        let argumentList: [Term] = if case .list(let list) = arguments { list } else { [] }
        let body = Self.spawnedBody(module: module, function: function, arguments: argumentList, trace: trace)
        let gate = StartGate()
        let pid = spawn { process in
            await gate.wait()
            try await body(process)
        }
        let route = SignalRoute(connection: connection.id)
        if linked || monitored, let spawned = processes.lookup(pid) {
            spawned.state.withLock { state in
                if linked { _ = state.acceptLink(from: from, route: route) }
                if monitored { _ = state.acceptMonitor(id, by: Watcher(pid: from, described: .pid(pid), route: route)) }
            }
            if !distribution.attach(pid, to: route) {
                spawned.deliver(spawned.state.withLock { $0.connectionLost(route) })
            }
        }
        let flags = (linked ? 1 : 0) | (monitored ? 2 : 0)
        // The reply goes on the connection before the process can run, so it precedes any exit
        // signal or DOWN the process causes.
        _ = try? connection.enqueue(.spawnReply(requestID: id, to: from, flags: flags, result: .pid(pid)), payload: nil)
        gate.open()
    }

    /// The code a spawn request runs.
    static func spawnedBody(module: Atom, function: Atom, arguments: [Term], trace: Term?)
        -> @Sendable (ProcessContext) async throws
        -> Void
    {
        switch (module.name, function.name, arguments.count) {
        case ("erpc", "execute_call", 4):
            return { process in
                throw ProcessExit(
                    await executeCall(
                        tag: arguments[0], arguments[1], arguments[2], arguments[3], process, trace: trace))
            }
        case ("erpc", "execute_cast", 3):
            return { process in
                guard case .atom(let m) = arguments[0], case .atom(let f) = arguments[1],
                    case .list(let list) = arguments[2]
                else { throw ProcessExit(.tuple(["erpc", "badarg"])) }
                _ = try await process.node.apply(m, f, list, in: process)
            }
        default:
            return { process in _ = try await process.node.apply(module, function, arguments, in: process) }
        }
    }

    /// `erpc:execute_call/4`: the reply term the process exits with.
    static func executeCall(
        tag: Term, _ module: Term, _ function: Term, _ arguments: Term, _ process: ProcessContext, trace: Term? = nil
    ) async -> Term {
        guard case .atom(let m) = module, case .atom(let f) = function, case .list(let list) = arguments else {
            return .tuple([tag, "error", .tuple(["erpc", "badarg"])])
        }
        do {
            let result: Term
            if let tracer = process.node.tracer, m != Node.observerModule {
                // The caller's trace continues here when it sent one. (Observers' snapshots are
                // not traced: a dashboard asks every second.)
                let parent = trace.map { tracer.extract(TraceToken.headers(in: $0)) }
                result = try await tracer.withSpan(
                    "rpc.execute \(m.name):\(f.name)/\(list.count)", kind: .server, parent: parent,
                    attributes: ["rpc.system": "erpc", "rpc.method": "\(m.name):\(f.name)/\(list.count)"]
                ) { try await process.node.apply(m, f, list, in: process) }
            } else {
                result = try await process.node.apply(m, f, list, in: process)
            }
            return .tuple([tag, "return", result])
        } catch let thrown as ErlangThrow {
            return .tuple([tag, "throw", thrown.value])
        } catch let exit as ProcessExit {
            return .tuple([tag, "exit", exit.reason])
        } catch let undefined as UndefinedFunction {
            return .tuple([tag, "error", "undef", undefined.stack])
        } catch {
            return .tuple([tag, "error", ProcessExit.reason(for: error), .list([])])
        }
    }
}
