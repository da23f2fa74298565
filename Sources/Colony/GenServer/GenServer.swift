public import ErlangTerm

/// A server process with OTP's `gen_server` shape: state kept between messages, synchronous
/// calls, asynchronous casts, and every other message as info.
///
/// A type that conforms *is* the server's state; its methods run inside the server's process, one
/// message at a time, and may change it. The server speaks `gen_server`'s wire format
/// (`{'$gen_call', {Pid, Tag}, Request}`, `{'$gen_cast', Request}`, replies `{Tag, Reply}` to an
/// alias or a pid), so Erlang and Elixir nodes call it with `GenServer.call({name, node}, request)`
/// and it calls theirs.
///
/// Start one with ``Node/startServer(_:name:link:)`` (`start_link` when `link` is given); call it with ``ProcessContext/call(_:_:timeout:)`` from a process or
/// ``Node/call(_:_:timeout:)`` from anywhere. Every callback has a default except
/// ``handleCall(_:from:process:)``'s, which answers `{error, {unhandled_call, Request}}`.
///
/// A callback that throws stops the server: ``terminate(reason:process:)`` runs with the error as
/// the reason (a ``ProcessExit``'s own reason, or `{swift_error, Description}`), then the process
/// exits with it, so links and supervisors see it as OTP's would.
public protocol GenServer: Sendable {
    /// Runs in the new process before `start` returns (OTP's `init/1`). The default is `.ready`.
    mutating func initialize(process: ProcessContext) async throws -> GenServerStart

    /// A synchronous request. Answer now with `.reply`, or later with
    /// ``ProcessContext/reply(to:_:)`` after `.noReply`.
    mutating func handleCall(_ request: Term, from: CallerRef, process: ProcessContext) async throws -> CallResult

    /// An asynchronous request (`{'$gen_cast', Request}`). The default ignores it.
    mutating func handleCast(_ request: Term, process: ProcessContext) async throws -> GenServerAction

    /// Any other message: `DOWN` and `EXIT` messages, timers, plain sends. The default ignores it.
    mutating func handleInfo(_ message: Term, process: ProcessContext) async throws -> GenServerAction

    /// Runs right after a callback asked for `continue` (OTP's `handle_continue/2`), before the
    /// next message.
    mutating func handleContinue(_ argument: Term, process: ProcessContext) async throws -> GenServerAction

    /// Runs when the server stops: after a `stop` result, a thrown error, or (when it traps
    /// exits) an exit signal from its parent. Not run when the process is killed outright.
    mutating func terminate(reason: Term, process: ProcessContext) async
}

extension GenServer {
    public mutating func initialize(process: ProcessContext) async throws -> GenServerStart { .ready }

    public mutating func handleCall(_ request: Term, from: CallerRef, process: ProcessContext) async throws
        -> CallResult
    {
        .reply(.tuple(["error", .tuple(["unhandled_call", request])]))
    }

    public mutating func handleCast(_ request: Term, process: ProcessContext) async throws -> GenServerAction {
        .noReply
    }

    public mutating func handleInfo(_ message: Term, process: ProcessContext) async throws -> GenServerAction {
        .noReply
    }

    public mutating func handleContinue(_ argument: Term, process: ProcessContext) async throws -> GenServerAction {
        .noReply
    }

    public mutating func terminate(reason: Term, process: ProcessContext) async {}
}
