import ColonyOSProcess
public import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child process started by a test (`erl`, `epmd`, ...), with its output captured to files.
/// It is started with ``ColonyOSProcess/OSProcess`` (`posix_spawn`), not Foundation's `Process`,
/// whose `run()` crashes the test process now and then on Linux.
///
/// Tests must stop every process they start, also when they fail: call ``kill()`` in a `defer`
/// right after ``start()``. It signals the process by its own PID (never by name), so it can only
/// reach the process this object started.
public final class ExternalProcess: @unchecked Sendable {
    /// A failure to find, start or finish a process.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        /// A failure described by `description`.
        public init(description: String) {
            self.description = description
        }
    }

    /// What a finished process left behind.
    public struct Outcome: Sendable {
        /// The exit status, or the signal number when the process was killed by a signal.
        public var status: Int32
        /// `true` when the process did not finish in time and was killed.
        public var timedOut: Bool
        public var standardOutput: String
        public var standardError: String

        /// `true` when the process exited by itself with status 0.
        public var succeeded: Bool { !timedOut && status == 0 }
    }

    public let executable: URL
    public let arguments: [String]
    private let environment: [String: String]
    private let directory: URL?
    private let outputURL: URL
    private let errorURL: URL
    private let child = Mutex<OSProcess?>(nil)

    /// A process that runs `executable` with `arguments`.
    ///
    /// - Parameters:
    ///   - environment: variables to set (or, with a `nil` value, remove) on top of this process's
    ///     environment.
    ///   - directory: the working directory; the current one when `nil`.
    public init(
        executable: URL, arguments: [String], environment: [String: String?] = [:], directory: URL? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        let stem = "colony-\(executable.lastPathComponent)-\(UUID().uuidString)"
        let temporary = FileManager.default.temporaryDirectory
        outputURL = temporary.appendingPathComponent(stem + ".stdout")
        errorURL = temporary.appendingPathComponent(stem + ".stderr")
        var merged = ProcessInfo.processInfo.environment
        for (name, value) in environment { merged[name] = value }
        self.environment = merged
        self.directory = directory
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: outputURL)
        try? FileManager.default.removeItem(at: errorURL)
    }

    /// The command line, for messages.
    public var commandLine: String { ([executable.path] + arguments).joined(separator: " ") }

    /// Starts the process.
    public func start() throws {
        let process: OSProcess
        do {
            process = try OSProcess.spawn(
                executable: executable.path, arguments: arguments, environment: environment,
                directory: directory?.path, standardOutput: .file(outputURL.path), standardError: .file(errorURL.path))
        } catch {
            throw Failure(description: "cannot start \(commandLine): \(error)")
        }
        child.withLock { $0 = process }
    }

    private var process: OSProcess? { child.withLock { $0 } }

    /// The process's PID (0 before ``start()``).
    public var processIdentifier: Int32 { process?.pid ?? 0 }

    /// Whether the process has been started and has not finished.
    public var isRunning: Bool { process?.isRunning ?? false }

    /// Waits for the process to finish; `nil` when it is still running after `timeout`.
    public func wait(timeout: Duration) async -> Int32? {
        guard let process else { return nil }
        let deadline = ContinuousClock.now + timeout
        while true {
            if let ended = process.termination { return ended.code }
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Stops the process with `SIGKILL`, sent to its own PID, if it is still running, and reaps it.
    public func kill() {
        guard let process else { return }
        process.signal(SIGKILL)
        process.waitUntilExit()
    }

    /// Sends `number` (SIGSTOP, SIGCONT, SIGTERM, ...) to the process's own PID.
    public func signal(_ number: Int32) {
        process?.signal(number)
    }

    /// Waits (bounded) until standard output contains `text`; `false` on timeout or exit.
    public func waitForOutput(_ text: String, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if standardOutput.contains(text) { return true }
            if let process, !process.isRunning { return standardOutput.contains(text) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Everything the process has written to standard output so far.
    public var standardOutput: String { (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "" }

    /// Everything the process has written to standard error so far.
    public var standardError: String { (try? String(contentsOf: errorURL, encoding: .utf8)) ?? "" }

    /// Runs the process to completion, killing it when it takes longer than `timeout`.
    public func run(timeout: Duration) async throws -> Outcome {
        try start()
        defer { kill() }
        let status = await wait(timeout: timeout)
        kill()
        return Outcome(
            status: status ?? SIGKILL, timedOut: status == nil, standardOutput: standardOutput,
            standardError: standardError)
    }

    /// Runs `executable` with `arguments` to completion, killing it after `timeout`.
    public static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String?] = [:], directory: URL? = nil,
        timeout: Duration
    ) async throws -> Outcome {
        let process = ExternalProcess(
            executable: executable, arguments: arguments, environment: environment, directory: directory)
        return try await process.run(timeout: timeout)
    }

    /// The executable called `name` in the directories of `PATH`, or `nil`.
    public static func find(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago: the system picks it when a socket binds
    /// port 0, and the socket is closed before returning.
    public static func freeLoopbackPort() throws -> UInt16 {
        let descriptor = socket(AF_INET, streamSocketType, 0)
        guard descriptor >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        defer { close(descriptor) }
        var address = loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw Failure(description: "bind(127.0.0.1:0) failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw Failure(description: "getsockname failed: errno \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Whether a TCP connection to 127.0.0.1:`port` succeeds right now.
    public static func acceptsConnections(port: UInt16) -> Bool {
        let descriptor = socket(AF_INET, streamSocketType, 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = loopbackAddress(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return connected == 0
    }

    /// Waits until something listens on 127.0.0.1:`port`; `false` after `timeout`.
    public static func waitForListener(port: UInt16, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !acceptsConnections(port: port) {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    private static func loopbackAddress(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        #if canImport(Darwin)
            address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
        #endif
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    #if canImport(Darwin)
        private static let streamSocketType = SOCK_STREAM
    #else
        private static let streamSocketType = Int32(SOCK_STREAM.rawValue)
    #endif
}
