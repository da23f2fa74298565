import ErlangTerm

/// A running server: the conforming value and what the runtime keeps beside it. Lives in a
/// reactive process's state and is touched only by its drain task.
struct GenServerState<Server: GenServer>: Sendable {
    enum Phase: Sendable {
        /// Waiting for the init message that `startServer` queued first.
        case starting(StartSignal, marker: Reference)
        case running
    }

    var server: Server
    var phase: Phase
    /// The process that started it linked (`start_link`); its exit signal stops the server when
    /// the server traps exits.
    let parent: PID?
    let name: ServerName?

    /// Handles one message; the reactor calls it for each message in order.
    mutating func handle(_ message: Term, process: ProcessContext) async -> ReactorAction {
        if case .starting(let signal, let marker) = phase {
            guard message == .tuple([.atom(GenServerAtoms.initialize), .reference(marker)]) else { return .continue }
            return await start(signal: signal, process: process)
        }
        guard case .tuple(let parts) = message, let first = parts.first, case .atom(let kind) = first else {
            return await info(message, process: process)
        }
        switch parts.count {
        case 3 where kind == GenServerAtoms.call:
            guard let from = CallerRef(parts[1]) else { return await info(message, process: process) }
            return await call(parts[2], from: from, process: process)
        case 2 where kind == GenServerAtoms.cast:
            do {
                return await perform(try await server.handleCast(parts[1], process: process), process: process)
            } catch {
                return await fail(error, process: process)
            }
        case 3 where kind == GenServerAtoms.exit && parts[1] == parent.map(Term.pid):
            // The parent's exit signal, trapped: stop with its reason, as gen_server does.
            return await stop(parts[2], process: process)
        case 3 where kind == GenServerAtoms.system:
            return await system(parts[2], from: CallerRef(parts[1]), process: process)
        default:
            return await info(message, process: process)
        }
    }

    private mutating func start(signal: StartSignal, process: ProcessContext) async -> ReactorAction {
        switch name {
        case .local(let atom):
            guard process.register(atom) else {
                if let holder = process.node.whereis(atom) {
                    signal.finish(.failure(GenServerStartError.alreadyStarted(holder)))
                }
                return .stop(.atom(ExitReasons.normal))
            }
        case .via(let registry, let key):
            guard await registry.registerName(key, pid: process.pid) else {
                if let holder = registry.whereisName(key) {
                    signal.finish(.failure(GenServerStartError.alreadyStarted(holder)))
                }
                return .stop(.atom(ExitReasons.normal))
            }
        case .global(let key):
            guard let registry = process.node.globalRegistry.withLock({ $0 }) else {
                signal.finish(.failure(GenServerStartError.stopped(.tuple(["global", "not_started"]))))
                return .stop(.atom(ExitReasons.normal))
            }
            guard await registry.registerName(key, pid: process.pid) else {
                if let holder = registry.whereisName(key) {
                    signal.finish(.failure(GenServerStartError.alreadyStarted(holder)))
                }
                return .stop(.atom(ExitReasons.normal))
            }
        case nil:
            break
        }
        let outcome: GenServerStart
        do {
            outcome = try await server.initialize(process: process)
        } catch {
            let reason = ProcessExit.reason(for: error)
            await releaseNameAfterFailedStart(process: process)
            signal.finish(.failure(GenServerStartError.stopped(reason)))
            return .stop(reason)
        }
        switch outcome {
        case .ready:
            phase = .running
            signal.finish(.success(process.pid))
            return .continue
        case .readyThenContinue(let argument):
            phase = .running
            signal.finish(.success(process.pid))
            return await perform(.continue(argument), process: process)
        case .ignore:
            await releaseNameAfterFailedStart(process: process)
            signal.finish(.failure(GenServerStartError.ignored))
            return .stop(.atom(ExitReasons.normal))
        case .stop(let reason):
            await releaseNameAfterFailedStart(process: process)
            signal.finish(.failure(GenServerStartError.stopped(reason)))
            return .stop(reason)
        }
    }

    private mutating func call(_ request: Term, from: CallerRef, process: ProcessContext) async -> ReactorAction {
        let result: CallResult
        do {
            if let tracer = process.node.tracer {
                // The caller's trace continues here when its request came with one.
                let parent = process.incomingTrace.map { tracer.extract(TraceToken.headers(in: $0)) }
                let name = process.process.state.withLock { $0.registeredName }.map { "\($0)" } ?? "\(process.pid)"
                result = try await tracer.withSpan(
                    "gen_server.handle_call", kind: .server, parent: parent, attributes: ["colony.server": name]
                ) { try await server.handleCall(request, from: from, process: process) }
            } else {
                result = try await server.handleCall(request, from: from, process: process)
            }
        } catch {
            return await fail(error, process: process)
        }
        switch result {
        case .reply(let reply):
            await process.reply(to: from, reply)
            return .continue
        case .replyThenContinue(let reply, let argument):
            await process.reply(to: from, reply)
            return await perform(.continue(argument), process: process)
        case .noReply:
            return .continue
        case .noReplyThenContinue(let argument):
            return await perform(.continue(argument), process: process)
        case .stop(let reason, let reply):
            let action = await stop(reason, process: process)
            if let reply { await process.reply(to: from, reply) }
            return action
        }
    }

    private mutating func info(_ message: Term, process: ProcessContext) async -> ReactorAction {
        do {
            return await perform(try await server.handleInfo(message, process: process), process: process)
        } catch {
            return await fail(error, process: process)
        }
    }

    /// `sys` messages: `{terminate, Reason}` stops the server (`gen_server:stop/1,3`); the others
    /// ask for the state as a term, which a Swift server does not have, and get an error.
    private mutating func system(_ request: Term, from: CallerRef?, process: ProcessContext) async -> ReactorAction {
        if case .tuple(let parts) = request, parts.count == 2, parts[0] == .atom(GenServerAtoms.terminate) {
            return await stop(parts[1], process: process)
        }
        if let from { await process.reply(to: from, .tuple(["error", .tuple(["not_supported", request])])) }
        return .continue
    }

    /// Follows `continue` results until the server waits or stops.
    private mutating func perform(_ first: GenServerAction, process: ProcessContext) async -> ReactorAction {
        var action = first
        while true {
            switch action {
            case .noReply:
                return .continue
            case .stop(let reason):
                return await stop(reason, process: process)
            case .continue(let argument):
                do {
                    action = try await server.handleContinue(argument, process: process)
                } catch {
                    return await fail(error, process: process)
                }
            }
        }
    }

    private mutating func fail(_ error: any Error, process: ProcessContext) async -> ReactorAction {
        await stop(ProcessExit.reason(for: error), process: process)
    }

    private mutating func stop(_ reason: Term, process: ProcessContext) async -> ReactorAction {
        if !SupervisorStateMachine.isNormalExit(reason) {
            // OTP's crash report: which server ended and why, with its pid and node as metadata.
            process.logger(label: "colony.genserver").error("GenServer terminating: \(reason)")
        }
        await server.terminate(reason: reason, process: process)
        await unregisterVia(process: process)
        return .stop(reason)
    }

    /// A start that fails gives its name up before the starter hears, as OTP's gen_server does:
    /// the starter never finds the name still taken by the dying process.
    private func releaseNameAfterFailedStart(process: ProcessContext) async {
        if case .local(let atom) = name { _ = process.node.unregister(atom) }
        await unregisterVia(process: process)
    }

    private func unregisterVia(process: ProcessContext) async {
        switch name {
        case .via(let registry, let key): await registry.unregisterName(key)
        case .global(let key): await process.node.globalRegistry.withLock({ $0 })?.unregisterName(key)
        default: break
        }
    }
}
