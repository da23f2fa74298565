import ErlangTerm
import Logging

/// The supervisor process: a ``GenServer`` that traps exits, as OTP's `supervisor` is a
/// `gen_server`. It feeds ``SupervisorStateMachine`` the `EXIT` messages of its children and the
/// calls of ``SupervisorRequest``, and carries out the directives it gets back: starting children
/// (their start closures run here, one after another), stopping them (``ProcessContext/shutdownChild(_:)``,
/// one after another), retrying a failed restart through a cast to itself, and giving up.
///
/// Its parent's exit signal (the `link:` it was started with) stops it through `terminate`, which
/// stops the children in reverse start order, as `stopServer` does.
struct SupervisorServer: GenServer {
    var machine: SupervisorStateMachine
    let initialChildren: [ChildSpec]
    let maxSeconds: Int
    /// Why the last child that ended abnormally ended, for the restart's event.
    var lastExitReason: Term?

    init(strategy: SupervisorStrategy, children: [ChildSpec], maxRestarts: Int, maxSeconds: Int) {
        machine = SupervisorStateMachine(strategy: strategy, maxRestarts: maxRestarts, period: .seconds(maxSeconds))
        initialChildren = children
        self.maxSeconds = maxSeconds
    }

    /// Starts the children in order. One that fails stops those already started (reverse order)
    /// and the supervisor with `{shutdown, {failed_to_start_child, Id, Reason}}`.
    mutating func initialize(process: ProcessContext) async throws -> GenServerStart {
        process.trapExit = true
        process.node.supervisors.withLock { _ = $0.insert(process.pid) }
        if let problem = SupervisorStateMachine.check(
            maxRestarts: machine.intensity.maxRestarts, maxSeconds: maxSeconds, children: initialChildren)
        {
            return .stop(problem)
        }
        for spec in initialChildren {
            switch await spec.run(on: process.node, supervisor: process.pid) {
            case .started(let pid):
                machine.initialChildStarted(spec, pid: pid)
            case .ignored:
                machine.initialChildStarted(spec, pid: nil)
            case .failed(let reason):
                process.logger(label: "colony.supervisor").error(
                    "supervisor \(process.pid): child \(spec.id) failed to start: \(reason)")
                for child in machine.stopAll() { _ = try await process.shutdownChild(child) }
                return .stop(.tuple(["shutdown", .tuple(["failed_to_start_child", spec.id, reason])]))
            }
        }
        return .ready
    }

    mutating func handleCall(_ request: Term, from: CallerRef, process: ProcessContext) async throws -> CallResult {
        guard let parsed = SupervisorRequest(request) else {
            return .reply(SupervisorRequest.error(.tuple(["unknown_call", request])))
        }
        switch parsed {
        case .whichChildren:
            return .reply(.list(machine.whichChildren.map(\.term)))
        case .countChildren:
            let node = process.node
            return .reply(machine.countChildren { !node.isLocal($0) || node.isAlive($0) }.term)
        case .terminateChild(let id):
            switch machine.terminateChild(id) {
            case .failure(let error):
                return .reply(SupervisorRequest.error(error.term))
            case .success(let child):
                if let child { _ = try await process.shutdownChild(child) }
                return .reply(.ok)
            }
        case .restartChild(let id):
            switch machine.restartChild(id) {
            case .failure(let error):
                return .reply(SupervisorRequest.error(error.term))
            case .success(let spec):
                switch await spec.run(on: process.node, supervisor: process.pid) {
                case .started(let pid):
                    machine.childRestarted(id, pid: pid)
                    return .reply(.tuple(["ok", .pid(pid)]))
                case .ignored:
                    machine.childRestarted(id, pid: nil)
                    return .reply(.tuple(["ok", "undefined"]))
                case .failed(let reason):
                    return .reply(SupervisorRequest.error(reason))
                }
            }
        case .deleteChild(let id):
            return .reply(SupervisorRequest.reply(machine.deleteChild(id)))
        case .getChildSpec(let id):
            guard let spec = machine.spec(for: id) else { return .reply(SupervisorRequest.error("not_found")) }
            return .reply(.tuple(["ok", spec.term]))
        case .startChild(let spec):
            guard let spec else { return .reply(SupervisorRequest.error("invalid_child_spec")) }
            return .reply(await startChild(spec, process: process))
        case .startForeignChild(let spec):
            return .reply(SupervisorRequest.error(.tuple(["not_supported", spec])))
        }
    }

    private mutating func startChild(_ spec: ChildSpec, process: ProcessContext) async -> Term {
        if let problem = SupervisorStateMachine.check(spec) { return SupervisorRequest.error(problem) }
        if let refusal = machine.checkNewChild(spec) { return SupervisorRequest.error(refusal.term) }
        switch await spec.run(on: process.node, supervisor: process.pid) {
        case .started(let pid):
            machine.childAdded(spec, pid: pid)
            return .tuple(["ok", .pid(pid)])
        case .ignored:
            machine.childAdded(spec, pid: nil)
            return .tuple(["ok", "undefined"])
        case .failed(let reason):
            return SupervisorRequest.error(.tuple([reason, spec.term]))
        }
    }

    /// `{try_again_restart, Id}`, cast to itself after a failed restart.
    mutating func handleCast(_ request: Term, process: ProcessContext) async throws -> GenServerAction {
        guard case .tuple(let parts) = request, parts.count == 2, parts[0] == "try_again_restart" else {
            return .noReply
        }
        return try await carryOut(machine.retryRestart(parts[1], at: .now), process: process)
    }

    /// `{'EXIT', Pid, Reason}` from a child (or from anything else linked, which is ignored).
    mutating func handleInfo(_ message: Term, process: ProcessContext) async throws -> GenServerAction {
        guard case .tuple(let parts) = message, parts.count == 3, parts[0] == "EXIT", case .pid(let pid) = parts[1]
        else {
            process.logger(label: "colony.supervisor").notice(
                "supervisor \(process.pid) got an unexpected message: \(message)")
            return .noReply
        }
        let reason = parts[2]
        if let id = machine.children.first(where: { $0.status == .running(pid) })?.id,
            !SupervisorStateMachine.isNormalExit(reason)
        {
            process.logger(label: "colony.supervisor").error(
                "supervisor \(process.pid): child \(id) (\(pid)) terminated: \(reason)")
            lastExitReason = reason
        }
        return try await carryOut(machine.childExited(pid, reason: reason, at: .now), process: process)
    }

    /// Stops the children in reverse start order; not when this process was killed, since
    /// then the children hear of it through their links.
    mutating func terminate(reason: Term, process: ProcessContext) async {
        process.node.supervisors.withLock { _ = $0.remove(process.pid) }
        guard reason != .atom(ExitReasons.killed) else { return }
        for child in machine.stopAll() {
            do {
                _ = try await process.shutdownChild(child)
            } catch {
                return
            }
        }
    }

    private mutating func carryOut(_ directive: SupervisorDirective, process: ProcessContext) async throws
        -> GenServerAction
    {
        var directive = directive
        while true {
            switch directive {
            case .none:
                return .noReply
            case .retryLater(let id):
                await process.cast(.pid(process.pid), .tuple(["try_again_restart", id]))
                return .noReply
            case .shutdown(let stops):
                process.logger(label: "colony.supervisor").error(
                    "supervisor \(process.pid): reached the maximum restart intensity, shutting down")
                process.recordEvent(.supervisorShutdown, "reached the maximum restart intensity")
                for child in stops { _ = try await process.shutdownChild(child) }
                return .stop(.atom(ExitReasons.shutdown))
            case .restart(let stops, let starts):
                for child in stops { _ = try await process.shutdownChild(child) }
                directive = .none
                for id in starts {
                    guard let spec = machine.spec(for: id) else { continue }
                    switch await spec.run(on: process.node, supervisor: process.pid) {
                    case .started(let pid):
                        machine.childRestarted(id, pid: pid)
                        process.node.metrics?.supervisorRestarts.increment()
                        process.recordEvent(.restart, Self.restartDetail(id, pid, after: lastExitReason))
                        lastExitReason = nil
                    case .ignored:
                        machine.childRestarted(id, pid: nil)
                    case .failed(let reason):
                        process.logger(label: "colony.supervisor").error(
                            "supervisor \(process.pid): child \(id) failed to restart: \(reason)")
                        process.recordEvent(.restartFailed, "child \(id): \(reason)")
                        directive = machine.childRestartFailed(id)
                    }
                    if directive != .none { break }
                }
            }
        }
    }

    /// What a restart event says: the child, its new pid, and why the old one ended.
    static func restartDetail(_ id: Term, _ pid: PID, after reason: Term?) -> String {
        "child \(Node.display(id)) restarted as \(Node.local(pid))" + (reason.map { " after \($0)" } ?? "")
    }
}
