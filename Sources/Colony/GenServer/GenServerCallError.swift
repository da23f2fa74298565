public import ErlangTerm

/// Why a call to a server failed, with the reasons OTP's `gen_server:call` exits with.
public struct GenServerCallError: ExitReasonConvertible, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Sendable, Equatable {
        /// No process has that pid or name (`noproc`).
        case noproc
        /// The server's node is down or could not be reached (`{nodedown, Node}`).
        case nodedown(Atom)
        /// No reply within the timeout (`timeout`).
        case timeout
        /// The server ended with this reason before replying.
        case exit(Term)
    }

    /// What went wrong.
    public let reason: Reason
    /// The server as the caller named it.
    public let server: Term
    /// The request.
    public let request: Term

    /// A call error.
    public init(_ reason: Reason, server: Term, request: Term) {
        self.reason = reason
        self.server = server
        self.request = request
    }

    /// The reason as a term: `noproc`, `{nodedown, Node}`, `timeout` or the server's exit reason.
    public var reasonTerm: Term {
        switch reason {
        case .noproc: .atom(ExitReasons.noproc)
        case .nodedown(let node): .tuple(["nodedown", .atom(node)])
        case .timeout: "timeout"
        case .exit(let reason): reason
        }
    }

    /// The exit reason of a caller that does not catch the error, as OTP builds it:
    /// `{Reason, {gen_server, call, [Server, Request]}}`.
    public var exitReason: Term {
        .tuple([reasonTerm, .tuple(["gen_server", "call", .list([server, request])])])
    }

    public var description: String { "gen_server call to \(server) failed: \(reasonTerm)" }
}
