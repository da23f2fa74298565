public import ErlangTerm

extension ProcessContext {
    /// Calls a server and waits for its reply (OTP's `gen_server:call/3`).
    ///
    /// Works with Colony servers and with OTP's `gen_server`s on other nodes alike: the request
    /// travels as `{'$gen_call', {Self, [alias | Ref]}, Request}` and the reply comes back to the
    /// alias, so a reply that arrives after a timeout is dropped instead of landing in the
    /// mailbox. The server is monitored for the length of the call.
    ///
    /// - Parameters:
    ///   - server: the server, by pid, name, `(name, node)` or registry.
    ///   - request: the request term.
    ///   - timeout: how long to wait for the reply; `nil` waits as long as the server lives.
    /// - Throws: ``GenServerCallError`` with `noproc`, `nodedown`, `timeout` or the server's exit
    ///   reason; a ``ProcessExit`` if an exit signal ends this process meanwhile.
    public func call(_ server: ServerRef, _ request: Term, timeout: Duration? = .seconds(5)) async throws -> Term {
        try await exchange(server, kind: GenServerAtoms.call, request, timeout: timeout)
    }

    /// A `gen:call`: `{Kind, {Self, Tag}, Request}` to the server, then its reply, its `DOWN` or
    /// the timeout, whichever comes first. `$gen_call` for calls, `system` for `sys` requests.
    func exchange(_ server: ServerRef, kind: Atom, _ request: Term, timeout: Duration?) async throws -> Term {
        guard let tracer = node.tracer else {
            return try await exchangeNow(server, kind: kind, request, timeout, traced: false)
        }
        return try await tracer.withSpan(
            kind == GenServerAtoms.call ? "gen_server.call" : "gen.call \(kind.name)", kind: .client,
            attributes: ["colony.server": "\(server.term)"]
        ) { try await exchangeNow(server, kind: kind, request, timeout, traced: true) }
    }

    /// The call itself; `traced` sends the request with the current trace context when it can
    /// (only then: an untraced call pays nothing for tracing).
    private func exchangeNow(_ server: ServerRef, kind: Atom, _ request: Term, _ timeout: Duration?, traced: Bool)
        async throws -> Term
    {
        let timer = node.distribution.metrics?.callDuration
        let started = timer == nil ? nil : ContinuousClock.now
        defer {
            if let timer, let started {
                let elapsed = ContinuousClock.now - started
                timer.recordNanoseconds(
                    elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
            }
        }
        let reference: Reference
        let destination: Destination
        switch resolve(server) {
        case nil:
            throw GenServerCallError(.noproc, server: server.term, request: request)
        case .pid(let pid)?:
            reference = await monitor(pid)
            destination = .pid(pid)
        case .remote(let name, let remote)?:
            reference = await monitor(name: name, on: remote)
            destination = .remote(name, remote)
        }
        node.aliases.add(reference, for: process)
        defer { node.aliases.remove(reference) }
        let tag = CallerRef.aliasTag(reference)
        let message: Term = .tuple([.atom(kind), .tuple([.pid(pid), tag]), request])
        switch destination {
        case .pid(let target):
            let sent = traced ? await node.sendTraced(message, to: .pid(target), from: pid) : false
            if !sent { await send(message, to: target) }
        case .remote(let name, let remote):
            let sent = traced ? await node.sendTraced(message, to: .name(name, on: remote), from: pid) : false
            if !sent {
                await send(message, to: name, on: remote)
            }
        }
        let outcome = try await receive(timeout: timeout) { message -> CallOutcome? in
            guard case .tuple(let parts) = message else { return nil }
            if parts.count == 2 && parts[0] == tag { return .reply(parts[1]) }
            if parts.count == 5, parts[0] == .atom(GenServerAtoms.down), parts[1] == .reference(reference) {
                return .down(parts[4])
            }
            return nil
        }
        switch outcome {
        case .reply(let reply)?:
            await demonitor(reference, flush: true)
            return reply
        case .down(let reason)?:
            let failure = Self.callFailure(reason, destination: destination)
            throw GenServerCallError(failure, server: server.term, request: request)
        case nil:
            await demonitor(reference, flush: true)
            throw GenServerCallError(.timeout, server: server.term, request: request)
        }
    }

    /// Sends a request to a server without waiting (OTP's `gen_server:cast/2`): `{'$gen_cast',
    /// Request}`. Like OTP, it does not say whether the server exists.
    public func cast(_ server: ServerRef, _ request: Term) async {
        let message: Term = .tuple([.atom(GenServerAtoms.cast), request])
        switch resolve(server) {
        case nil: return
        case .pid(let pid)?: await send(message, to: pid)
        case .remote(let name, let remote)?: await send(message, to: name, on: remote)
        }
    }

    /// Sends a plain message to a server reference: `Name ! Msg` for a local or remote name,
    /// `global:send/2` for ``ServerRef/global(_:)``, a registry's `send` for `via`.
    ///
    /// - Throws: ``GenServerCallError`` with `noproc` when the name is not registered (OTP exits
    ///   with `badarg` there).
    public func send(_ message: Term, to server: ServerRef) async throws {
        switch resolve(server) {
        case nil: throw GenServerCallError(.noproc, server: server.term, request: message)
        case .pid(let pid)?: await send(message, to: pid)
        case .remote(let name, let remote)?: await send(message, to: name, on: remote)
        }
    }

    /// Answers a call (OTP's `gen_server:reply/2`): `{Tag, Reply}` to the caller's alias, or to its
    /// pid for an old-style tag. A server replies this way after returning `.noReply`, from its
    /// own process; another task can use ``Node/reply(to:_:)``.
    public func reply(to caller: CallerRef, _ reply: Term) async {
        await node.reply(to: caller, reply, from: pid)
    }

    private enum Destination {
        case pid(PID)
        case remote(Atom, Atom)
    }

    private enum CallOutcome {
        case reply(Term)
        case down(Term)
    }

    /// Where a call or cast goes: a pid, or a name on another node; `nil` when a local name is not
    /// registered.
    private func resolve(_ server: ServerRef) -> Destination? {
        switch server {
        case .pid(let pid): return .pid(pid)
        case .name(let name): return node.whereis(name).map(Destination.pid)
        case .remote(let name, let remote):
            return remote == node.name ? node.whereis(name).map(Destination.pid) : .remote(name, remote)
        case .via(let registry, let name): return registry.whereisName(name).map(Destination.pid)
        case .global(let name):
            return node.globalRegistry.withLock { $0 }?.whereisName(name).map(Destination.pid)
        }
    }

    private static func callFailure(_ reason: Term, destination: Destination) -> GenServerCallError.Reason {
        if reason == .atom(ExitReasons.noproc) { return .noproc }
        if reason == .atom(ExitReasons.noconnection) {
            switch destination {
            case .pid(let pid): return .nodedown(pid.node)
            case .remote(_, let remote): return .nodedown(remote)
            }
        }
        return .exit(reason)
    }
}
