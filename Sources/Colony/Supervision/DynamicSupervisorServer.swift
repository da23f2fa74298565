import ErlangTerm
import Logging

/// The dynamic supervisor process: a ``GenServer`` that traps exits and carries out what
/// ``DynamicSupervisorStateMachine`` decides. It starts with no children; callers add them with
/// `{start_child, Spec}` (``DynamicSupervisorRef/startChild(_:)``). When it stops, every child is
/// sent its exit signal at once and the supervisor waits for all of them
/// (``ProcessContext/shutdownChildren(_:)``), as Elixir's `DynamicSupervisor` does.
struct DynamicSupervisorServer: GenServer {
    var machine: DynamicSupervisorStateMachine
    let maxSeconds: Int
    /// Why the last child that ended abnormally ended, for the restart's event.
    var lastExitReason: Term?

    init(maxChildren: Int?, maxRestarts: Int, maxSeconds: Int) {
        machine = DynamicSupervisorStateMachine(
            maxChildren: maxChildren, maxRestarts: maxRestarts, period: .seconds(maxSeconds))
        self.maxSeconds = maxSeconds
    }

    mutating func initialize(process: ProcessContext) async throws -> GenServerStart {
        process.trapExit = true
        process.node.supervisors.withLock { _ = $0.insert(process.pid) }
        if let problem = DynamicSupervisorStateMachine.check(
            maxChildren: machine.maxChildren, maxRestarts: machine.intensity.maxRestarts, maxSeconds: maxSeconds)
        {
            return .stop(problem)
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
        case .terminateChild(let target):
            guard case .pid(let pid) = target else { return .reply(SupervisorRequest.error("simple_one_for_one")) }
            switch machine.terminateChild(pid) {
            case .failure(let error):
                return .reply(SupervisorRequest.error(error.term))
            case .success(let child):
                if let child { _ = try await process.shutdownChild(child) }
                return .reply(.ok)
            }
        case .restartChild, .deleteChild:
            return .reply(SupervisorRequest.error("simple_one_for_one"))
        case .getChildSpec(let target):
            guard case .pid(let pid) = target, let spec = machine.spec(for: pid) else {
                return .reply(SupervisorRequest.error("not_found"))
            }
            return .reply(.tuple(["ok", spec.term]))
        case .startChild(let spec):
            guard let spec else { return .reply(SupervisorRequest.error("invalid_child_spec")) }
            if let refusal = machine.checkNewChild(spec) { return .reply(SupervisorRequest.error(refusal.term)) }
            switch await spec.run(on: process.node, supervisor: process.pid) {
            case .started(let pid):
                machine.childStarted(spec, pid: pid)
                return .reply(.tuple(["ok", .pid(pid)]))
            case .ignored:
                return .reply(.tuple(["ok", "undefined"]))
            case .failed(let reason):
                return .reply(SupervisorRequest.error(reason))
            }
        case .startForeignChild(let spec):
            return .reply(SupervisorRequest.error(.tuple(["not_supported", spec])))
        }
    }

    /// `{try_again_restart, Pid}`, cast to itself after a failed restart.
    mutating func handleCast(_ request: Term, process: ProcessContext) async throws -> GenServerAction {
        guard case .tuple(let parts) = request, parts.count == 2, parts[0] == "try_again_restart",
            case .pid(let key) = parts[1]
        else { return .noReply }
        return try await carryOut(machine.retryRestart(key, at: .now), process: process)
    }

    mutating func handleInfo(_ message: Term, process: ProcessContext) async throws -> GenServerAction {
        guard case .tuple(let parts) = message, parts.count == 3, parts[0] == "EXIT", case .pid(let pid) = parts[1]
        else {
            process.logger(label: "colony.supervisor").notice(
                "dynamic supervisor \(process.pid) got an unexpected message: \(message)")
            return .noReply
        }
        let reason = parts[2]
        if machine.children[pid] != nil && !SupervisorStateMachine.isNormalExit(reason) {
            process.logger(label: "colony.supervisor").error(
                "dynamic supervisor \(process.pid): child \(pid) terminated: \(reason)")
            lastExitReason = reason
        }
        return try await carryOut(machine.childExited(pid, reason: reason, at: .now), process: process)
    }

    mutating func terminate(reason: Term, process: ProcessContext) async {
        process.node.supervisors.withLock { _ = $0.remove(process.pid) }
        guard reason != .atom(ExitReasons.killed) else { return }
        try? await process.shutdownChildren(machine.stopAll())
    }

    private mutating func carryOut(_ directive: DynamicSupervisorDirective, process: ProcessContext) async throws
        -> GenServerAction
    {
        switch directive {
        case .none:
            return .noReply
        case .retryLater(let key):
            await process.cast(.pid(process.pid), .tuple(["try_again_restart", .pid(key)]))
            return .noReply
        case .shutdown(let stops):
            process.logger(label: "colony.supervisor").error(
                "dynamic supervisor \(process.pid): reached the maximum restart intensity, shutting down")
            process.recordEvent(.supervisorShutdown, "reached the maximum restart intensity")
            try await process.shutdownChildren(stops)
            return .stop(.atom(ExitReasons.shutdown))
        case .restart(let key):
            guard let spec = machine.spec(for: key) else { return .noReply }
            switch await spec.run(on: process.node, supervisor: process.pid) {
            case .started(let pid):
                machine.childRestarted(key, pid: pid)
                process.node.metrics?.supervisorRestarts.increment()
                process.recordEvent(.restart, SupervisorServer.restartDetail(.pid(key), pid, after: lastExitReason))
                lastExitReason = nil
                return .noReply
            case .ignored:
                machine.childRestarted(key, pid: nil)
                return .noReply
            case .failed(let reason):
                process.logger(label: "colony.supervisor").error(
                    "dynamic supervisor \(process.pid): child \(key) failed to restart: \(reason)")
                process.recordEvent(.restartFailed, "child \(key): \(reason)")
                return try await carryOut(machine.childRestartFailed(key), process: process)
            }
        }
    }
}
