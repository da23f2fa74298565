public import ErlangTerm

/// How a supervisor starts, restarts and stops one child (OTP's `child_spec()`).
///
/// ```swift
/// let cache = ChildSpec(id: "cache") { node, supervisor in
///     try await node.startServer(Cache(), link: supervisor)
/// }
/// let pool = ChildSpec.server(id: "pool", Pool(size: 4), restart: .transient)
/// ```
///
/// The start closure runs inside the supervisor's process and must **link** the child to the
/// supervisor (`startServer(_:link:)`, `spawn(link:)`, or a nested `startSupervisor(link:)`): the
/// link is how the supervisor learns that the child ended. A closure that throws
/// ``GenServerStartError/ignored`` means "ignore" (OTP's `ignore`): the child is kept without a
/// pid (a temporary one is dropped). Any other error is a failed start, with the reason a process
/// thrown out of by that error would exit with (`GenServerStartError.stopped(reason)` gives
/// `reason`).
public struct ChildSpec: Sendable {
    /// Starts the child, linked to `supervisor`, and returns its pid.
    public typealias Start = @Sendable (_ node: Node, _ supervisor: PID) async throws -> PID

    /// When a child that ended is started again (OTP's `restart`).
    public enum Restart: Sendable, Hashable {
        /// Always restarted.
        case permanent
        /// Restarted only after an abnormal exit: not after `normal`, `shutdown` or `{shutdown, _}`.
        case transient
        /// Never restarted, and removed from the supervisor when it ends.
        case temporary

        /// The OTP atom: `permanent`, `transient` or `temporary`.
        public var term: Term {
            switch self {
            case .permanent: "permanent"
            case .transient: "transient"
            case .temporary: "temporary"
            }
        }
    }

    /// How the supervisor stops the child (OTP's `shutdown`).
    public enum Shutdown: Sendable, Hashable {
        /// `exit(Child, kill)`: the child gets no chance to clean up.
        case brutalKill
        /// `exit(Child, shutdown)`, then wait this long for it to end, then `kill` it.
        case timeout(Duration)
        /// `exit(Child, shutdown)`, then wait as long as it takes (the default for supervisors).
        case infinity

        /// The OTP term: `brutal_kill`, the timeout in milliseconds, or `infinity`.
        public var term: Term {
            switch self {
            case .brutalKill: "brutal_kill"
            case .infinity: "infinity"
            case .timeout(let duration):
                .integer(Int((duration / .milliseconds(1)).rounded(.up)))
            }
        }
    }

    /// Whether the child is a worker or a supervisor (OTP's `type`). It sets the default
    /// shutdown and how ``ChildCounts`` counts the child.
    public enum ChildType: Sendable, Hashable {
        /// Any process that is not a supervisor.
        case worker
        /// A supervisor: stopping it stops its own children first.
        case supervisor

        /// The OTP atom: `worker` or `supervisor`.
        public var term: Term {
            switch self {
            case .worker: "worker"
            case .supervisor: "supervisor"
            }
        }
    }

    /// The child's name among its supervisor's children; any term. A string literal makes an
    /// atom (`"cache"` is the atom `cache`).
    public var id: Term
    /// Starts the child linked to the supervisor.
    public var start: Start
    /// When the child is restarted.
    public var restart: Restart
    /// How the child is stopped.
    public var shutdown: Shutdown
    /// Worker or supervisor.
    public var type: ChildType

    /// A child spec.
    ///
    /// - Parameters:
    ///   - id: the child's name among its siblings.
    ///   - restart: `permanent` (the default), `transient` or `temporary`.
    ///   - shutdown: how to stop it; `nil` means OTP's default: 5 seconds for a worker, `infinity`
    ///     for a supervisor.
    ///   - type: `worker` (the default) or `supervisor`.
    ///   - start: starts the child linked to the supervisor and returns its pid.
    public init(
        id: Term, restart: Restart = .permanent, shutdown: Shutdown? = nil, type: ChildType = .worker,
        start: @escaping Start
    ) {
        self.id = id
        self.start = start
        self.restart = restart
        self.shutdown = shutdown ?? (type == .supervisor ? .infinity : .timeout(.seconds(5)))
        self.type = type
    }

    /// A worker that is a ``GenServer``: each start (and restart) starts a fresh copy of
    /// `server`, linked to the supervisor.
    public static func server<Server: GenServer>(
        id: Term, _ server: Server, restart: Restart = .permanent, shutdown: Shutdown? = nil
    ) -> ChildSpec {
        ChildSpec(id: id, restart: restart, shutdown: shutdown, type: .worker) { node, supervisor in
            try await node.startServer(server, link: supervisor)
        }
    }

    /// OTP's child spec map without the start function, which has no term form:
    /// `#{id => Id, restart => R, shutdown => S, type => T, significant => false, modules => []}`.
    public var term: Term {
        .map(
            TermMap([
                ("id", id), ("restart", restart.term), ("shutdown", shutdown.term), ("type", type.term),
                ("significant", false), ("modules", .list([])),
            ]))
    }
}
