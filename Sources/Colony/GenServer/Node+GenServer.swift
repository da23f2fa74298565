public import ErlangTerm

extension Node {
    /// Starts a server in a new process and waits until its ``GenServer/initialize(process:)``
    /// has run (OTP's `gen_server:start_link/4` when `link` is given, `start/4` otherwise).
    ///
    /// The name, if any, is registered in the new process before `initialize` runs, so a message
    /// sent by name waits behind the initialisation.
    ///
    /// - Parameters:
    ///   - server: the server's initial value.
    ///   - name: a name to register it under.
    ///   - link: the parent to link to. When the server traps exits, the parent's exit signal
    ///     stops it through ``GenServer/terminate(reason:process:)``.
    /// - Returns: the server's pid.
    /// - Throws: ``GenServerStartError``: `ignored`, `stopped(reason)` or `alreadyStarted(pid)`.
    @discardableResult
    public func startServer<Server: GenServer>(_ server: Server, name: ServerName? = nil, link: PID? = nil)
        async throws -> PID
    {
        let marker = makeReference()
        return try await withCheckedThrowingContinuation { continuation in
            let signal = StartSignal(continuation)
            let state = GenServerState(
                server: server, phase: .starting(signal, marker: marker), parent: link, name: name)
            let pid = spawnReactor(
                link: link, initial: state,
                onExit: { reason in signal.finish(.failure(GenServerStartError.stopped(reason))) },
                { state, message, process in await state.handle(message, process: process) })
            deliverLocal(.tuple([.atom(GenServerAtoms.initialize), .reference(marker)]), to: pid)
        }
    }

    /// Calls a server from code that is not a process: the caller's task acts, for the length of
    /// the call, as a short-lived process of its own (a pid to monitor from and to reply to). See
    /// ``ProcessContext/call(_:_:timeout:)``.
    public func call(_ server: ServerRef, _ request: Term, timeout: Duration? = .seconds(5)) async throws -> Term {
        try await asTemporaryProcess { try await $0.call(server, request, timeout: timeout) }
    }

    /// Runs `body` in the calling task as a process: a fresh pid and mailbox, without a task of
    /// their own, removed (with its monitors) when `body` returns or throws.
    func asTemporaryProcess<T>(_ body: (ProcessContext) async throws -> T) async throws -> T {
        let process = processes.add(node: name, creation: creation)
        let context = ProcessContext(process: process, node: self)
        do {
            let value = try await body(context)
            terminate(process, reason: .atom(ExitReasons.normal))
            return value
        } catch {
            terminate(process, reason: .atom(ExitReasons.normal))
            throw error
        }
    }

    /// Casts to a server from code that is not a process. See ``ProcessContext/cast(_:_:)``.
    public func cast(_ server: ServerRef, _ request: Term) async {
        await withCheckedContinuation { continuation in
            spawn { process in
                await process.cast(server, request)
                continuation.resume()
            }
        }
    }

    /// Stops a server (OTP's `gen_server:stop/3`): it runs ``GenServer/terminate(reason:process:)``
    /// and exits with `reason`; returns when it has.
    ///
    /// - Throws: ``GenServerCallError``: `noproc` if it does not exist, `timeout`, `nodedown`, or
    ///   `exit` if it ended with another reason first.
    public func stopServer(_ server: ServerRef, reason: Term = .atom(ExitReasons.normal), timeout: Duration? = nil)
        async throws
    {
        let request: Term = .tuple([.atom(GenServerAtoms.terminate), reason])
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            spawn { process in
                do {
                    try await process.stopServer(server, request: request, reason: reason, timeout: timeout)
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Answers a call from any task (OTP's `gen_server:reply/2`). See
    /// ``ProcessContext/reply(to:_:)``.
    public func reply(to caller: CallerRef, _ reply: Term) async {
        await self.reply(to: caller, reply, from: nil)
    }

    func reply(to caller: CallerRef, _ reply: Term, from: PID?) async {
        let message: Term = .tuple([caller.tag, reply])
        if let alias = caller.alias {
            await send(message, toAlias: alias, from: from)
        } else {
            await send(message, to: caller.pid, from: from)
        }
    }
}

extension ProcessContext {
    /// `sys:terminate`: `{system, {Self, Tag}, {terminate, Reason}}`, then wait for the `DOWN`.
    fileprivate func stopServer(_ server: ServerRef, request: Term, reason: Term, timeout: Duration?) async throws {
        do {
            _ = try await exchange(server, kind: GenServerAtoms.system, request, timeout: timeout)
        } catch let error as GenServerCallError where error.reason == .exit(reason) {
            return
        }
    }
}
