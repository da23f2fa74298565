import Colony
import ColonyTestSupport
import ErlangDistribution
import ErlangTerm
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failure of the interop machinery itself (a tool that would not start, a reply that never came).
struct InteropFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// The Erlang/OTP and Elixir tools, found on `PATH`. Missing tools fail the test: interop is what
/// these tests are for, so they never skip.
struct InteropTools: Sendable {
    var erl: URL
    var erlc: URL
    var epmd: URL

    static func locate() throws -> InteropTools {
        InteropTools(erl: try find("erl"), erlc: try find("erlc"), epmd: try find("epmd"))
    }

    static func elixir() throws -> URL {
        try find("elixir")
    }

    private static func find(_ name: String) throws -> URL {
        try #require(
            ExternalProcess.find(name),
            "`\(name)` is not on PATH: the interop tests need Erlang/OTP (erl, erlc, epmd) and Elixir")
    }

    /// The directory holding `colony_interop.beam`, compiled once per test run: a directory named
    /// after the source's hash, filled by a rename so that concurrent runs never see half a file.
    static func compiledModuleDirectory() async throws -> URL {
        try await compiled.value
    }

    private static let compiled = Task<URL, any Error> {
        let tools = try locate()
        let source = InteropErlangSource.text
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in source.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let temporary = FileManager.default.temporaryDirectory
        let directory = temporary.appendingPathComponent("colony-interop-beam-\(String(hash, radix: 16))")
        let beam = directory.appendingPathComponent("\(InteropErlangSource.moduleName).beam")
        if FileManager.default.fileExists(atPath: beam.path) { return directory }
        let work = temporary.appendingPathComponent("colony-interop-build-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let file = work.appendingPathComponent("\(InteropErlangSource.moduleName).erl")
        try source.write(to: file, atomically: true, encoding: .utf8)
        let outcome = try await ExternalProcess.run(
            tools.erlc, ["-o", work.path, file.path], directory: work, timeout: .seconds(120))
        guard outcome.succeeded else {
            throw InteropFailure("erlc colony_interop.erl failed: \(outcome.standardOutput) \(outcome.standardError)")
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let staged = directory.appendingPathComponent("\(UUID().uuidString).tmp")
        try FileManager.default.copyItem(at: work.appendingPathComponent(beam.lastPathComponent), to: staged)
        guard rename(staged.path, beam.path) == 0 else {
            throw InteropFailure("cannot move the compiled module into \(directory.path): errno \(errno)")
        }
        return directory
    }
}

/// Which EPMD a test registers its nodes with.
enum InteropEPMDKind {
    /// OTP's `epmd -address 127.0.0.1 -port P`, an OS process stopped by PID.
    case otp
    /// Colony's in-process `EPMDServer` on 127.0.0.1.
    case colony
}

/// Everything one test starts (OS processes, Colony nodes, an EPMD, a scratch directory), stopped
/// when the test ends, whether it passes or fails.
final class InteropScope: @unchecked Sendable {
    let label: String
    let directory: URL
    let tools: InteropTools
    let beamDirectory: URL
    private let lock = NSLock()
    private var processes: [ExternalProcess] = []
    private var nodes: [Node] = []
    private var epmdServers: [EPMDServer] = []

    private init(label: String, tools: InteropTools, beamDirectory: URL) throws {
        self.label = label
        self.tools = tools
        self.beamDirectory = beamDirectory
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "colony-interop-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Runs `body` with a fresh scope; every process it started is killed by PID (after a
    /// `SIGCONT`, in case it was stopped) and every node stopped, on success and on failure.
    static func run(_ label: String, _ body: (InteropScope) async throws -> Void) async throws {
        let tools = try InteropTools.locate()
        let beamDirectory = try await InteropTools.compiledModuleDirectory()
        let scope = try InteropScope(label: label, tools: tools, beamDirectory: beamDirectory)
        defer { scope.killProcesses() }
        do {
            try await body(scope)
        } catch {
            await scope.tearDown()
            throw error
        }
        await scope.tearDown()
    }

    /// Sends `SIGCONT` and then `SIGKILL` to every process this scope started, each by its PID.
    func killProcesses() {
        let all = lock.withLock { processes }
        for process in all {
            process.signal(SIGCONT)
            process.kill()
        }
    }

    private func tearDown() async {
        let (nodes, servers) = lock.withLock { (self.nodes, self.epmdServers) }
        for node in nodes { await node.stop() }
        killProcesses()
        for server in servers { await server.stop() }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Records a process so that it is killed when the test ends.
    func adopt(_ process: ExternalProcess) {
        lock.withLock { processes.append(process) }
    }

    // MARK: - EPMD

    /// Starts a private EPMD on a free loopback port and returns the port.
    func startEPMD(_ kind: InteropEPMDKind) async throws -> Int {
        switch kind {
        case .colony:
            let server = try await EPMDServer.start(host: "127.0.0.1", port: 0)
            lock.withLock { epmdServers.append(server) }
            return server.port
        case .otp:
            let port = try ExternalProcess.freeLoopbackPort()
            let epmd = ExternalProcess(
                executable: tools.epmd, arguments: ["-address", "127.0.0.1", "-port", String(port)],
                directory: directory)
            try epmd.start()
            adopt(epmd)
            let listening = await ExternalProcess.waitForListener(port: port, timeout: .seconds(15))
            try #require(listening, "epmd did not listen on 127.0.0.1:\(port): \(epmd.standardError)")
            return Int(port)
        }
    }

    // MARK: - Erlang and Elixir

    /// Environment for `erl`: the private EPMD, no crash dumps, no flags from the environment.
    static func erlEnvironment(epmdPort: Int) -> [String: String?] {
        [
            "ERL_EPMD_PORT": String(epmdPort),
            "ERL_CRASH_DUMP_SECONDS": "0",
            "ERL_FLAGS": nil,
            "ERL_AFLAGS": nil,
            "ERL_ZFLAGS": nil,
            "ELIXIR_ERL_OPTIONS": nil,
        ]
    }

    /// Starts `erl -name NAME -setcookie COOKIE` on 127.0.0.1 with the test module loadable, running
    /// `colony_interop:main(arguments)`.
    func startErlang(
        name: String, cookie: String, epmdPort: Int, tickTime: Int? = nil, extraFlags: [String] = [],
        arguments: [String]
    ) throws -> ExternalProcess {
        var flags =
            [
                "-noshell", "-noinput", "-start_epmd", "false", "-name", name, "-setcookie", cookie,
                "-kernel", "inet_dist_use_interface", "{127,0,0,1}", "-pa", beamDirectory.path,
            ] + extraFlags
        if let tickTime { flags += ["-kernel", "net_ticktime", String(tickTime)] }
        flags += ["-run", InteropErlangSource.moduleName, "main"] + arguments
        let erl = ExternalProcess(
            executable: tools.erl, arguments: flags, environment: Self.erlEnvironment(epmdPort: epmdPort),
            directory: directory)
        try erl.start()
        adopt(erl)
        return erl
    }

    /// Starts an Erlang agent (see ``InteropErlangSource``) and waits until it is ready.
    func startAgent(
        name: String, cookie: String, epmdPort: Int, action: String = "none", colony: String,
        tickTime: Int? = nil, extraFlags: [String] = []
    ) async throws -> ExternalProcess {
        let erl = try startErlang(
            name: name, cookie: cookie, epmdPort: epmdPort, tickTime: tickTime, extraFlags: extraFlags,
            arguments: ["agent", action, colony])
        let ready = await erl.waitForOutput("READY", timeout: .seconds(30))
        try #require(ready, "erl \(name) did not start: \(Self.describe(erl))")
        return erl
    }

    // MARK: - Colony

    /// Writes `script` to the scope's directory and runs it with `elixir --name NAME@127.0.0.1`
    /// on the private EPMD, with `COLONY_NODE` set to `colony`; waits (bounded) for its `READY`
    /// line and returns the running process.
    func startElixirScript(
        _ script: String, file: String, name: String, cookie: String, epmdPort: Int, colony: Atom,
        environment extra: [String: String] = [:]
    ) async throws -> ExternalProcess {
        let path = directory.appendingPathComponent(file)
        try script.write(to: path, atomically: true, encoding: .utf8)
        var environment = InteropScope.erlEnvironment(epmdPort: epmdPort)
        environment["COLONY_NODE"] = colony.name
        for (key, value) in extra { environment[key] = value }
        let ex = ExternalProcess(
            executable: try InteropTools.elixir(),
            arguments: [
                "--name", name, "--cookie", cookie,
                "--erl", "-start_epmd false -kernel inet_dist_use_interface {127,0,0,1}", path.path,
            ],
            environment: environment, directory: directory)
        try ex.start()
        adopt(ex)
        let ready = await InteropScope.waitForLine(ex, prefix: "READY", timeout: .seconds(40))
        try #require(ready != nil, "\(InteropScope.describe(ex))")
        return ex
    }

    /// Starts an in-process Colony node on 127.0.0.1, registered with the EPMD at `epmdPort`.
    func startNode(
        name: String, cookie: String, epmdPort: Int, tickTime: Duration = .seconds(60),
        transport: (any DistributionTransport)? = nil
    ) async throws -> Node {
        var configuration = NodeConfiguration(name: name, cookie: cookie)
        configuration.transport = transport
        configuration.epmdPort = epmdPort
        configuration.startsEPMDServer = false
        configuration.listenAddress = "127.0.0.1"
        configuration.tickTime = tickTime
        let node = try await Node.start(configuration)
        lock.withLock { nodes.append(node) }
        return node
    }

    /// Records a node started elsewhere so that it is stopped when the test ends.
    func adopt(node: Node) {
        lock.withLock { nodes.append(node) }
    }

    /// Starts `colony node` as an OS process and waits until it has started.
    func startColonyProcess(
        name: String, cookie: String, epmdPort: Int, tickTime: Int = 60, extra: [String] = []
    ) async throws -> ExternalProcess {
        let process = try ColonyBinary.startNode(
            name: name, cookie: cookie, epmdPort: epmdPort, extra: extra, tickTime: tickTime)
        adopt(process)
        let started = await process.waitForOutput("started", timeout: .seconds(30))
        try #require(started, "colony node \(name) did not start: \(Self.describe(process))")
        return process
    }

    // MARK: - Output

    /// The lines of standard output that start with `prefix`.
    static func lines(_ process: ExternalProcess, prefix: String) -> [String] {
        process.standardOutput.split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
    }

    /// Waits (bounded) for a line of standard output that starts with `prefix`, and returns it.
    static func waitForLine(_ process: ExternalProcess, prefix: String, timeout: Duration) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let line = lines(process, prefix: prefix).first { return line }
            if ContinuousClock.now >= deadline || (process.processIdentifier != 0 && !process.isRunning) {
                return lines(process, prefix: prefix).first
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// A process's output, for failure messages.
    static func describe(_ process: ExternalProcess) -> String {
        """
        \(process.arguments.prefix(8).joined(separator: " ")) (running: \(process.isRunning))
        --- stdout
        \(process.standardOutput.suffix(3000))
        --- stderr
        \(process.standardError.suffix(3000))
        """
    }
}

// MARK: - Running code as a Colony process

/// A value handed from a Colony process to the test.
final class InteropSlot<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<Value, any Error>?

    func set(_ result: Result<Value, any Error>) {
        lock.withLock { if value == nil { value = result } }
    }

    func wait(timeout: Duration) async throws -> Value? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let result = lock.withLock({ value }) { return try result.get() }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }
}

extension Node {
    /// Runs `body` as a Colony process and returns what it returns; fails after `timeout`.
    func runProcess<Value: Sendable>(
        timeout: Duration = .seconds(30), _ body: @escaping @Sendable (ProcessContext) async throws -> Value
    ) async throws -> Value {
        let slot = InteropSlot<Value>()
        spawn { process in
            do {
                slot.set(.success(try await body(process)))
            } catch {
                slot.set(.failure(error))
                throw error
            }
        }
        guard let value = try await slot.wait(timeout: timeout) else {
            throw InteropFailure("a Colony process did not finish within \(timeout)")
        }
        return value
    }

    /// A process that waits for `{exit_with, Reason}` and then ends with `Reason`.
    func spawnExitTarget() -> PID {
        spawn { process in
            let reason = try await process.receive(timeout: .seconds(30)) { message -> Term? in
                guard case .tuple(let t) = message, t.count == 2, t[0] == "exit_with" else { return nil }
                return t[1]
            }
            guard let reason else { throw ProcessExit("target_timeout") }
            if reason == "normal" { return }
            throw ProcessExit(reason)
        }
    }
}

extension ProcessContext {
    /// Sends `{cmd, self(), Tag, Command}` to the agent's `driver` on `erlang` and returns the
    /// `Result` of its `{reply, Tag, Result}`.
    func callDriver(_ erlang: Atom, _ command: Term, timeout: Duration = .seconds(15)) async throws -> Term {
        let tag = makeReference()
        await send(.tuple(["cmd", .pid(pid), .reference(tag), command]), to: "driver", on: erlang)
        let reply = try await receive(timeout: timeout) { message -> Term? in
            guard case .tuple(let t) = message, t.count == 3, t[0] == "reply", t[1] == .reference(tag) else {
                return nil
            }
            return t[2]
        }
        guard let reply else { throw InteropFailure("no reply from \(erlang)'s driver to \(command)") }
        return reply
    }

    /// Asks the agent on `erlang` for a pid (`spawn_target`, `dead_pid`, `echo_pid`).
    func driverPID(_ erlang: Atom, _ command: Term) async throws -> PID {
        let reply = try await callDriver(erlang, command)
        guard case .pid(let pid) = reply else { throw InteropFailure("\(command) gave \(reply), not a pid") }
        return pid
    }

    /// The first message that `match` accepts within `timeout`, or `nil`.
    func firstMessage(within timeout: Duration, where match: (Term) -> Bool) async throws -> Term? {
        try await receive(timeout: timeout) { match($0) ? $0 : nil }
    }
}

// MARK: - Node events

/// Collects a node's `monitorNodes()` events with the time each arrived.
final class InteropNodeEvents: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [(event: NodeEvent, at: ContinuousClock.Instant)] = []
    private var task: Task<Void, Never>?

    init(_ node: Node) {
        let stream = node.monitorNodes()
        task = Task { [weak self] in
            for await event in stream {
                guard let self else { return }
                self.lock.withLock { self.events.append((event, .now)) }
            }
        }
    }

    deinit { task?.cancel() }

    /// Everything seen so far.
    var all: [NodeEvent] { lock.withLock { events.map(\.event) } }

    /// Waits (bounded) for the `occurrence`-th event (1-based) that `match` accepts.
    func wait(
        for match: (NodeEvent) -> Bool, occurrence: Int = 1, timeout: Duration
    ) async -> (event: NodeEvent, at: ContinuousClock.Instant)? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let found = lock.withLock { events.filter { match($0.event) } }
            if found.count >= occurrence { return found[occurrence - 1] }
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    static func isUp(_ node: Atom) -> (NodeEvent) -> Bool {
        { if case .nodeUp(node, _) = $0 { return true } else { return false } }
    }

    static func isDown(_ node: Atom) -> (NodeEvent) -> Bool {
        { if case .nodeDown(node, _, _) = $0 { return true } else { return false } }
    }
}
