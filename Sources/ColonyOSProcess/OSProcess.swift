import CSpawn
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child OS process, started with `posix_spawn`, signalled by its own PID and reaped by it.
///
/// Foundation's `Process.run()` on Linux (swift-corelibs-foundation up to Swift 6.3) reads past
/// a buffer while it lists `/proc/self/fd`, and crashes the parent now and then (fixed upstream in
/// swift-corelibs-foundation pull request 5472). The demo and the tests start many processes, so
/// they start them here instead: standard input from `/dev/null`, standard output and error to
/// `/dev/null` or a file, every other descriptor closed in the child, signal mask and SIGPIPE
/// reset to the defaults.
public final class OSProcess: Sendable {
    /// Where the child's standard output or error goes.
    public enum Output: Sendable, Equatable {
        /// Discarded.
        case null
        /// The file at this path, created or truncated.
        case file(String)
        /// The file at this path, created or appended to.
        case append(String)
    }

    /// How a child ended.
    public enum Termination: Sendable, Equatable {
        /// It exited with this status.
        case exited(Int32)
        /// A signal with this number ended it.
        case signalled(Int32)

        /// The exit status, or the signal number.
        public var code: Int32 {
            switch self {
            case .exited(let status): status
            case .signalled(let signal): signal
            }
        }
    }

    /// A child that could not be started.
    public struct SpawnError: Error, CustomStringConvertible {
        /// What failed, and the system's reason.
        public let description: String
    }

    /// The child's PID.
    public let pid: Int32
    private let ended = Mutex<Termination?>(nil)

    private init(pid: Int32) { self.pid = pid }

    /// Starts `executable` (a path) with `arguments`, in `environment` (exactly these variables),
    /// in `directory` (the current one when `nil`).
    public static func spawn(
        executable: String, arguments: [String], environment: [String: String], directory: String? = nil,
        standardOutput: Output = .null, standardError: Output = .null
    ) throws -> OSProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        try check(posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0), "redirect stdin")
        try redirect(&actions, 1, standardOutput)
        try redirect(&actions, 2, standardError)
        if let directory { try check(colony_spawn_addchdir(&actions, directory), "change to \(directory)") }
        try check(colony_spawn_addclosefrom(&actions, 3), "close inherited descriptors")

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        try check(
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)),
            "set spawn flags")

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        return OSProcess(pid: pid)
    }

    private static func redirect(_ actions: inout posix_spawn_file_actions_t, _ fd: Int32, _ output: Output) throws {
        switch output {
        case .null:
            try check(posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0), "redirect \(fd)")
        case .file(let path):
            try check(
                posix_spawn_file_actions_addopen(&actions, fd, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644),
                "redirect \(fd) to \(path)")
        case .append(let path):
            try check(
                posix_spawn_file_actions_addopen(&actions, fd, path, O_WRONLY | O_CREAT | O_APPEND, 0o644),
                "redirect \(fd) to \(path)")
        }
    }

    private static func check(_ result: Int32, _ what: String) throws {
        guard result == 0 else { throw SpawnError(description: "\(what): \(String(cString: strerror(result)))") }
    }

    /// How the child ended, `nil` while it runs (reaps it when it has ended).
    public var termination: Termination? {
        ended.withLock { ended in
            if ended == nil { ended = Self.reap(pid, blocking: false) }
            return ended
        }
    }

    /// Whether the child is still running.
    public var isRunning: Bool { termination == nil }

    /// Waits for the child to end and reaps it.
    @discardableResult
    public func waitUntilExit() -> Termination {
        ended.withLock { ended in
            if ended == nil { ended = Self.reap(pid, blocking: true) }
            return ended ?? .exited(-1)
        }
    }

    /// Sends `number` to the child's own PID, unless it has been reaped (its PID may name another
    /// process by then). Returns whether the signal was sent.
    @discardableResult
    public func signal(_ number: Int32) -> Bool {
        ended.withLock { ended in
            if ended == nil { ended = Self.reap(pid, blocking: false) }
            // A child that ended but was not reaped before this call is reaped now: no signal.
            guard ended == nil else { return false }
            return kill(pid, number) == 0
        }
    }

    private static func reap(_ pid: pid_t, blocking: Bool) -> Termination? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if result == pid { return decode(status) }
            if result == 0 { return nil }
            if errno == EINTR { continue }
            // ECHILD: not a child of this process any more (reaped elsewhere); it has ended.
            return .exited(-1)
        }
    }

    private static func decode(_ status: Int32) -> Termination {
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
    }
}
