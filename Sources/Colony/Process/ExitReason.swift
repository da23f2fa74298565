public import ErlangTerm

/// Thrown out of a process body to end the process with `reason`, like Erlang's `exit(Reason)`.
///
/// Any other error a process body throws ends it too, with the reason
/// `{swift_error, <<"description">>}`.
public struct ProcessExit: Error, Sendable, Equatable, CustomStringConvertible {
    /// The exit reason.
    public let reason: Term

    /// Ends the calling process with `reason`.
    public init(_ reason: Term) {
        self.reason = reason
    }

    /// The reason `normal`.
    public static let normal = ProcessExit(.atom(ExitReasons.normal))
    /// The reason `shutdown`.
    public static let shutdown = ProcessExit(.atom(ExitReasons.shutdown))

    public var description: String { "process exit: \(reason)" }

    /// The exit reason for an error thrown out of a process body.
    static func reason(for error: any Error) -> Term {
        if let exit = error as? ProcessExit { return exit.reason }
        if let convertible = error as? any ExitReasonConvertible { return convertible.exitReason }
        if error is CancellationError { return .atom(ExitReasons.killed) }
        return .tuple(["swift_error", .string(String(describing: error))])
    }
}

/// An error that knows the exit reason a process thrown out of by it should end with (a failed
/// call ends its caller as OTP's would, for example).
public protocol ExitReasonConvertible: Error {
    /// The reason the process exits with.
    var exitReason: Term { get }
}

/// The atoms that name well-known exit reasons.
public enum ExitReasons {
    /// `normal`: the process finished.
    public static let normal: Atom = "normal"
    /// `shutdown`: stopped by its supervisor or the node.
    public static let shutdown: Atom = "shutdown"
    /// `kill`: the untrappable exit signal.
    public static let kill: Atom = "kill"
    /// `killed`: the reason a process killed by `kill` exits with.
    public static let killed: Atom = "killed"
    /// `noproc`: the process did not exist.
    public static let noproc: Atom = "noproc"
    /// `noconnection`: the connection to the process's node went down.
    public static let noconnection: Atom = "noconnection"
}
