import Colony
import ColonyMetrics
import ColonyTestSupport
import ErlangTerm
import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The Prometheus endpoint, scraped over HTTP while two nodes talk: the counters move.
@Suite("Metrics: the Prometheus endpoint", .serialized)
struct MetricsEndpointTests {
    /// `name{labels} value` lines of a scrape, by name and labels.
    static func parse(_ text: String) -> [String: Double] {
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            values[String(line[..<space])] = value
        }
        return values
    }

    static func scrape(_ port: Int) async throws -> [String: Double] {
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/metrics"))
        let (data, response) = try await URLSession.shared.data(from: url)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        return parse(String(decoding: data, as: UTF8.self))
    }

    @Test("messages, bytes, calls, restarts and processes show on /metrics and move", .timeLimit(.minutes(1)))
    func countersMove() async throws {
        let registry = ColonyMetrics.bootstrapPrometheus()
        try await InteropScope.run("metrics") { scope in
            let epmdPort = try await scope.startEPMD(.colony)
            let a = try await scope.startNode(name: "metrics_a@127.0.0.1", cookie: "metrics", epmdPort: epmdPort)
            let b = try await scope.startNode(name: "metrics_b@127.0.0.1", cookie: "metrics", epmdPort: epmdPort)
            let port = Mutex<Int?>(nil)
            let endpoint = ColonyMetrics.endpoint(registry: registry, host: "127.0.0.1", port: 0) { bound in
                port.withLock { $0 = bound }
            }
            let server = Task { try await endpoint.run() }
            defer { server.cancel() }
            for _ in 0..<500 where port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(10)) }
            let bound = try #require(port.withLock { $0 })

            // kv on a, under a supervisor with a worker that can be made to crash.
            try await a.startServer(KeyValueServer(), name: .local("kv"))
            let supervisor = try await a.startSupervisor(children: [
                ChildSpec(id: "victim") { node, supervisor in
                    node.spawn(link: supervisor) { process in
                        _ = try await process.receive()
                        throw ProcessExit("crash")
                    }
                }
            ])
            _ = await b.connect(to: a.name)
            let peerOfA = #"node="metrics_a@127.0.0.1",peer="metrics_b@127.0.0.1""#
            let received = "colony_distribution_messages_received_total{\(peerOfA)}"
            let bytes = "colony_distribution_bytes_received_total{\(peerOfA)}"
            let calls = #"colony_call_duration_seconds_count{node="metrics_b@127.0.0.1"}"#
            let restarts = #"colony_supervisor_restarts_total{node="metrics_a@127.0.0.1"}"#
            let before = try await Self.scrape(bound)

            try await b.runProcess { process in
                for index in 0..<20 {
                    _ = try await process.call(.remote("kv", node: a.name), .tuple(["put", "k", .integer(index)]))
                }
            }
            // The victim crashes on its first message and the supervisor restarts it.
            let children = try await SupervisorRef(.pid(supervisor), on: a).whichChildren()
            if let pid = children.first?.pid { await a.send("boom", to: pid) }
            try await Task.sleep(for: .milliseconds(1500))  // the gauges are sampled every second
            let after = try await Self.scrape(bound)

            #expect((after[received] ?? 0) - (before[received] ?? 0) >= 20, "\(after[received] ?? -1)")
            #expect((after[bytes] ?? 0) > (before[bytes] ?? 0))
            #expect((after[calls] ?? 0) - (before[calls] ?? 0) == 20, "\(after[calls] ?? -1)")
            #expect((after[restarts] ?? 0) - (before[restarts] ?? 0) == 1, "\(after[restarts] ?? -1)")
            #expect((after[#"colony_processes{node="metrics_a@127.0.0.1"}"#] ?? 0) > 0)
            #expect((after[#"colony_connections{node="metrics_a@127.0.0.1"}"#] ?? 0) >= 1)
        }
    }
}
