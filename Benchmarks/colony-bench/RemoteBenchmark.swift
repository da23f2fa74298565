import Colony
import ColonyMetrics
import ColonyTLS
import ErlangDistribution
import ErlangTerm
import Foundation
import NIOPosix

/// The workloads of erlbench's "remote", "cluster" and "mem" sections between two Colony nodes in
/// separate OS processes on 127.0.0.1: A (this process) sends to `{sink, B}`, B runs in a child
/// `colony-bench sink-node` process.
enum RemoteBenchmark {
    static let cookie = "colony_bench"

    /// The child side: a node with a `sink` process that counts `{msg, I}` / `{msg, I, Bin}` after
    /// `{start, Parent, N}` and answers `{sink_done, N, Ordered}`.
    static func sinkNode(name: String, epmdPort: Int) async throws {
        var configuration = NodeConfiguration(name: name, cookie: cookie)
        configuration.epmdPort = epmdPort
        configuration.listenAddress = "127.0.0.1"
        configuration.startsEPMDServer = false
        let node = try await startNode(configuration)
        let sink = node.spawn { process in
            while true {
                guard case .tuple(let start) = try await process.receive(), start.count == 3, start[0] == "start",
                    case .pid(let parent) = start[1], case .integer(let expected) = start[2]
                else { continue }
                var ordered = true
                for i in 0..<expected {
                    guard case .tuple(let t) = try await process.receive(), t.count >= 2 else { continue }
                    if t[1] != .integer(i) { ordered = false }
                }
                await process.send(.tuple(["sink_done", .integer(expected), ordered ? "true" : "false"]), to: parent)
            }
        }
        node.register("sink", pid: sink)
        try await node.startServer(BenchServer(), name: .local("bench_gs"))
        let system = ColonyActorSystem(node: node)
        let actor = BenchActor(actorSystem: system)
        system.register(actor, as: "bench_actor")
        FileHandle.standardOutput.write(Data("ready\n".utf8))
        while true { try await Task.sleep(for: .seconds(3600)) }
    }

    /// A node on the default scheduler, or (COLONY_BENCH_EVENTLOOP=1) on one event loop that
    /// runs both its connections and its processes.
    /// COLONY_BENCH_METRICS=off runs without metrics, =prometheus with a Prometheus registry
    /// bootstrapped (as `colony node --metrics-port` does); unset, with metrics on and no backend.
    /// COLONY_BENCH_TLS_DIR=DIR runs distribution over TLS with DIR's `node.pem`, `node.key` and
    /// `ca.pem` (`colony-bench tls-files DIR` writes them), both sides verified.
    static func startNode(_ configuration: NodeConfiguration) async throws -> Node {
        var configuration = configuration
        if let directory = ProcessInfo.processInfo.environment["COLONY_BENCH_TLS_DIR"] {
            configuration.transport = try TLSTransport(
                settings: TLSSettings(
                    certificateFile: directory + "/node.pem", keyFile: directory + "/node.key",
                    caFile: directory + "/ca.pem"))
        }
        switch ProcessInfo.processInfo.environment["COLONY_BENCH_METRICS"] {
        case "off": configuration.metrics = false
        case "prometheus": _ = ColonyMetrics.bootstrapPrometheus()
        default: break
        }
        guard ProcessInfo.processInfo.environment["COLONY_BENCH_EVENTLOOP"] == "1" else {
            return try await Node.start(configuration)
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        return try await Node.start(configuration, eventLoopGroup: group, execution: .eventLoop(group.next()))
    }

    static func startSink(name: String, epmdPort: Int) throws -> Foundation.Process {
        let child = Foundation.Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["sink-node", name, String(epmdPort)]
        let pipe = Pipe()
        child.standardOutput = pipe
        child.standardError = FileHandle.nullDevice
        try child.run()
        // Wait (bounded) for "ready".
        let deadline = Date().addingTimeInterval(20)
        var seen = Data()
        while Date() < deadline, !String(decoding: seen, as: UTF8.self).contains("ready") {
            seen.append(pipe.fileHandleForReading.availableData)
        }
        return child
    }

    static func run(reps: Int, epmdPort: Int) async throws {
        let epmd = try await EPMD.ensureRunning(host: "127.0.0.1", port: epmdPort)
        defer { if let epmd { Task { await epmd.stop() } } }
        let b = try startSink(name: "bench_b@127.0.0.1", epmdPort: epmdPort)
        defer { b.terminate() }
        var configuration = NodeConfiguration(name: "bench_a@127.0.0.1", cookie: cookie)
        configuration.epmdPort = epmdPort
        configuration.listenAddress = "127.0.0.1"
        configuration.startsEPMDServer = false
        let node = try await startNode(configuration)
        let peer: Atom = "bench_b@127.0.0.1"
        guard await node.connect(to: peer) == .connected else {
            print("REMOTE error cannot connect to \(peer)")
            return
        }
        let workloads: [(String, Int, Int?)] = [
            ("send_msg_int", 1_000_000, nil), ("send_1kib", 200_000, 1024), ("send_64kib", 20_000, 65536),
        ]
        let skipSends = ProcessInfo.processInfo.environment["BENCH_REMOTE_CALLS_ONLY"] == "1"
        for (name, count, payload) in workloads where !skipSends {
            var rates: [Double] = []
            for _ in 0..<reps {
                rates.append(try await oneway(node: node, peer: peer, count: count, payload: payload))
            }
            rates.sort()
            let median = rates[(rates.count - 1) / 2]
            print("REMOTE \(name) \(format(median, 0)) \(format(median * Double(payload ?? 0) / 1e6, 1))")
        }
        if ProcessInfo.processInfo.environment["BENCH_REMOTE_SENDS_ONLY"] == "1" {
            await node.stop()
            return
        }
        let server = ServerRef.remote("bench_gs", node: peer)
        var single: [GenServerBenchmark.Run] = []
        var sixteen: [GenServerBenchmark.Run] = []
        for _ in 0..<reps {
            single.append(await GenServerBenchmark.sequentialCalls(node: node, server: server, count: 100_000))
        }
        for _ in 0..<reps {
            sixteen.append(
                await GenServerBenchmark.concurrentCalls(node: node, server: server, callers: 16, perCaller: 10_000))
        }
        GenServerBenchmark.report(prefix: "REMOTE", name: "gs_call_x1", runs: single, count: 100_000)
        GenServerBenchmark.report(prefix: "REMOTE", name: "gs_call_x16", runs: sixteen, count: 160_000)
        if ProcessInfo.processInfo.environment["BENCH_REMOTE_GS_ONLY"] == "1" {
            await node.stop()
            return
        }
        await RPCBenchmark.rpcCalls(node: node, peer: peer, reps: reps)
        await RPCBenchmark.actorCalls(node: node, peer: peer, reps: reps)
        let c = try startSink(name: "bench_c@127.0.0.1", epmdPort: epmdPort)
        let d = try startSink(name: "bench_d@127.0.0.1", epmdPort: epmdPort)
        defer {
            c.terminate()
            d.terminate()
        }
        let three: [Atom] = [peer, "bench_c@127.0.0.1", "bench_d@127.0.0.1"]
        for other in three { _ = await node.connect(to: other) }
        await RPCBenchmark.multicalls(node: node, peers: three, reps: reps)
        if !skipSends { await clusterTimes(node: node, reps: reps, epmdPort: epmdPort) }
        print("REMOTE idle_node_rss_mib \(format(Double(rss(of: b.processIdentifier)) / 1_048_576, 1)) 0")
        await node.stop()
    }

    /// Sends `count` messages to `{sink, peer}` from one process; returns messages per second
    /// measured until the sink acknowledges the last.
    static func oneway(node: Node, peer: Atom, count: Int, payload: Int?) async throws -> Double {
        let done = Completion()
        let msg = Term.atom("msg")
        let sink: Atom = "sink"
        let blob: Term? = payload.map { .binary([UInt8](repeating: 0xAB, count: $0)) }
        let startTime = Box<ContinuousClock.Instant>()
        let end = Box<ContinuousClock.Instant>()
        node.spawn { process in
            await process.send(.tuple(["start", .pid(process.pid), .integer(count)]), to: "sink", on: peer)
            startTime.value = ContinuousClock.now
            for i in 0..<count {
                let message: Term = blob.map { .tuple([msg, .integer(i), $0]) } ?? .tuple([msg, .integer(i)])
                await process.send(message, to: sink, on: peer)
            }
            _ = try await process.receive(timeout: .seconds(120))
            end.value = ContinuousClock.now
            done.finish()
        }
        await done.wait()
        guard let s = startTime.value, let e = end.value else { return 0 }
        return Double(count) / seconds(e - s)
    }

    /// Connect → nodeup with a fresh peer, and nodedown after kill -9.
    static func clusterTimes(node: Node, reps: Int, epmdPort: Int) async {
        var connects: [Double] = []
        var downs: [Double] = []
        for i in 0..<max(3, reps) {
            let name = "bench_fresh\(i)@127.0.0.1"
            guard let child = try? startSink(name: name, epmdPort: epmdPort) else { continue }
            let events = node.monitorNodes()
            let t0 = ContinuousClock.now
            let result = await node.connect(to: Atom(name))
            let t1 = ContinuousClock.now
            guard result == .connected else {
                child.terminate()
                continue
            }
            connects.append(seconds(t1 - t0) * 1000)
            kill(child.processIdentifier, SIGKILL)
            let t2 = ContinuousClock.now
            for await event in events {
                if case .nodeDown(let peer, _, _) = event, peer == Atom(name) { break }
            }
            downs.append(seconds(ContinuousClock.now - t2) * 1000)
            child.waitUntilExit()
        }
        connects.sort()
        downs.sort()
        if !connects.isEmpty { print("REMOTE connect_to_nodeup_ms \(format(connects[(connects.count - 1) / 2], 2)) 0") }
        if !downs.isEmpty { print("REMOTE nodedown_after_kill9_ms \(format(downs[(downs.count - 1) / 2], 2)) 0") }
    }

    /// Resident set size of a process, from /proc.
    static func rss(of pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return kb * 1024
        }
        return 0
    }
}

/// A value set by one task and read by another after a synchronising event.
final class Box<T: Sendable>: @unchecked Sendable {
    var value: T?
}
