public import Colony
import ColonyOSProcess
public import ColonyTLS
import ErlangDistribution
public import ErlangTerm
public import Foundation
import Synchronization

/// The member nodes of a demo cluster: OS processes started from the `colony` executable
/// (`colony demo-member`), on this machine's loopback, registered with an EPMD server this
/// process runs on a private port. Every process it starts is stopped by PID.
public final class DemoCluster: Sendable {
    /// The cookie, generated for this run.
    public let cookie: String
    /// The private EPMD server's port.
    public let epmdPort: Int
    /// The UDP port the members gossip on (on 127.0.0.1), chosen for this run.
    public let gossipPort = Int.random(in: 40000...59999)
    private let executable: URL
    private let epmd: EPMDServer
    private let members = Mutex<[Atom: OSProcess]>([:])
    private let storeVoters = Mutex<[Atom]>([])
    /// Distribution over TLS, when the demo runs with `--tls`: a CA and a node certificate made
    /// for this run in ``tlsDirectory``, used by every node (Colony, and Elixir through
    /// `ssl_dist.conf`).
    public let tls: TLSSettings?

    /// Makes `members` the voters of the demo's replicated store: each runs a replica of it, on
    /// disc under ``storeDirectory`` (so a member started again resumes its log).
    public func setStoreVoters(_ members: [Atom]) { storeVoters.withLock { $0 = members } }

    private init(executable: URL, epmd: EPMDServer, cookie: String, tls: TLSSettings?) {
        self.executable = executable
        self.epmd = epmd
        self.epmdPort = epmd.port
        self.cookie = cookie
        self.tls = tls
    }

    /// Starts an EPMD server on a free loopback port; members are started with ``startMember(_:)``.
    /// With `tls`, first makes the run's CA and certificate in ``tlsDirectory``.
    public static func start(executable: URL, tls: Bool = false) async throws -> DemoCluster {
        let cookie = "demo_" + (0..<16).map { _ in String(Int.random(in: 0..<36), radix: 36) }.joined()
        let settings: TLSSettings?
        if tls {
            var made = try TLSClusterFiles.create(
                in: tlsDirectory(cookie), hosts: ["127.0.0.1", "localhost"], commonName: "colony demo node", days: 2)
            made.hostCheck = .all
            settings = made
        } else {
            settings = nil
        }
        let epmd = try await EPMDServer.start(host: "127.0.0.1", port: 0)
        return DemoCluster(executable: executable, epmd: epmd, cookie: cookie, tls: settings)
    }

    /// Where the run's TLS files are (removed by ``stopAll()``).
    public var tlsDirectory: URL { Self.tlsDirectory(cookie) }

    private static func tlsDirectory(_ cookie: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("colony-demo-\(cookie)-tls")
    }

    /// The `ssl_dist.conf` that lets an Erlang or Elixir node join the TLS demo.
    public var erlangTLSOptionsFile: URL { tlsDirectory.appendingPathComponent("ssl_dist.conf") }

    /// The `erl` flags that make an Erlang or Elixir node speak the demo's distribution: empty
    /// over TCP.
    public var erlangDistributionFlags: String {
        tls == nil ? "" : "-proto_dist inet_tls -ssl_dist_optfile \(erlangTLSOptionsFile.path)"
    }

    /// `configuration` with the demo's transport (TLS or none).
    public func configure(_ configuration: inout NodeConfiguration) throws {
        if let tls { configuration.transport = try TLSTransport(settings: tls) }
    }

    /// Starts the member `name` and waits (at most 30 s) until it says it is ready.
    @discardableResult
    public func startMember(_ name: Atom) async throws -> Int32 {
        var arguments = [
            "demo-member", "--name", name.name, "--cookie", cookie, "--epmd-port", String(epmdPort),
            "--parent", String(ProcessInfo.processInfo.processIdentifier), "--gossip-port", String(gossipPort),
        ]
        if let tls {
            arguments += [
                "--tls-certfile", tls.certificateFile, "--tls-keyfile", tls.keyFile, "--tls-cacertfile", tls.caFile,
            ]
        }
        let voters = storeVoters.withLock { $0 }
        if voters.contains(name) {
            arguments += [
                "--store-voters", voters.map(\.name).joined(separator: ","),
                "--store-dir", storeDirectory.appendingPathComponent(name.name).path,
            ]
        }
        return try await start(name, executable: executable, arguments: arguments)
    }

    /// Where the members keep their store replicas (removed by ``stopAll()``).
    public var storeDirectory: URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("colony-demo-\(cookie)-store")
    }

    /// Starts an Elixir node `name` (with `elixir` from `PATH`) running ``DemoElixir/script``:
    /// an `echo` process and a `demo` module like the members'. It registers with the demo's
    /// EPMD and stops by itself when the demo's process is gone.
    @discardableResult
    public func startElixir(_ name: Atom, elixir: URL) async throws -> Int32 {
        let script = elixirScript
        try Data(DemoElixir.script.utf8).write(to: script)
        var environment = ProcessInfo.processInfo.environment
        environment["ERL_EPMD_PORT"] = String(epmdPort)
        environment["COLONY_DEMO_PARENT"] = String(ProcessInfo.processInfo.processIdentifier)
        return try await start(
            name, executable: elixir,
            arguments: [
                "--name", name.name, "--cookie", cookie, "--erl",
                "-start_epmd false -kernel inet_dist_use_interface {127,0,0,1} \(erlangDistributionFlags)", script.path,
            ],
            environment: environment, timeout: .seconds(60))
    }

    private var elixirScript: URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("colony-demo-\(cookie).exs")
    }

    private func start(
        _ name: Atom, executable: URL, arguments: [String], environment: [String: String]? = nil,
        timeout: Duration = .seconds(30)
    ) async throws -> Int32 {
        // Started with posix_spawn: Foundation's Process.run() crashes now and then on Linux.
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("colony-demo-\(name.name)-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let child = try OSProcess.spawn(
            executable: executable.path, arguments: arguments,
            environment: environment ?? ProcessInfo.processInfo.environment, standardOutput: .file(outputPath),
            standardError: Self.logPath(for: name).map { .append($0) } ?? .null)
        members.withLock { $0[name] = child }
        var seen = ""
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            seen = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            if seen.contains("ready") { return child.pid }
            if !child.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw DemoFailure("\(name) did not start: \(seen)")
    }

    /// Where a member's log goes: `NAME.log` (appended to) in the directory that
    /// `COLONY_DEMO_LOG_DIR` names, or nowhere when it is not set.
    static func logPath(for name: Atom) -> String? {
        guard let directory = ProcessInfo.processInfo.environment["COLONY_DEMO_LOG_DIR"], !directory.isEmpty
        else { return nil }
        return URL(fileURLWithPath: directory).appendingPathComponent("\(name.name).log").path
    }

    /// The OS process id of each running member.
    public var processIDs: [Atom: Int32] {
        members.withLock { $0.filter { $0.value.isRunning }.mapValues(\.pid) }
    }

    /// Kills a member with SIGKILL, by its PID, and waits for it to be gone.
    public func kill9(_ name: Atom) {
        guard let child = members.withLock({ $0.removeValue(forKey: name) }) else { return }
        child.signal(SIGKILL)
        child.waitUntilExit()
    }

    /// Freezes a member with SIGSTOP, by its PID: its connections stay open and go silent, as in a
    /// partition or a long pause.
    public func pause(_ name: Atom) {
        members.withLock { $0[name] }?.signal(SIGSTOP)
    }

    /// Lets a member frozen by ``pause(_:)`` go on (SIGCONT), by its PID.
    public func resume(_ name: Atom) {
        members.withLock { $0[name] }?.signal(SIGCONT)
    }

    /// Stops every member (SIGTERM, then SIGKILL after a second), by PID, and the EPMD server.
    public func stopAll() async {
        let children = members.withLock { members in
            defer { members = [:] }
            return Array(members.values)
        }
        for child in children {
            // A paused member acts on SIGTERM only once it goes on.
            child.signal(SIGCONT)
            child.signal(SIGTERM)
        }
        let deadline = ContinuousClock.now + .seconds(1)
        while ContinuousClock.now < deadline, children.contains(where: \.isRunning) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        for child in children { child.signal(SIGKILL) }
        for child in children { child.waitUntilExit() }
        try? FileManager.default.removeItem(at: elixirScript)
        try? FileManager.default.removeItem(at: storeDirectory)
        if tls != nil { try? FileManager.default.removeItem(at: tlsDirectory) }
        await epmd.stop()
    }

    /// Kills every member at once (SIGKILL, by PID), without waiting: for signal handlers.
    public func killAllNow() {
        for child in members.withLock({ Array($0.values) }) { child.signal(SIGKILL) }
    }
}

/// A scenario's check that did not hold.
public struct DemoFailure: Error, CustomStringConvertible {
    /// What did not hold.
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
