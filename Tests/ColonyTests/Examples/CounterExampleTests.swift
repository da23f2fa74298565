import Colony
import ColonyTestSupport
import ErlangDistribution
import Foundation
import Testing

/// The guide's CounterSupervisor / CounterRegistry / DistributedCounter example runs: alone, and
/// as two `counter-example` OS processes whose counters converge.
@Suite("Example: counters", .timeLimit(.minutes(1)))
struct CounterExampleTests {
    @Test("demo: start, increment, crash and restart, list and stop counters")
    func demo() async throws {
        let example = ExternalProcess(executable: try ColonyBinary.executable("counter-example"), arguments: ["demo"])
        try example.start()
        defer { example.kill() }
        let status = await example.wait(timeout: .seconds(30))
        #expect(status == 0, "\(example.standardError)")
        let lines = example.standardOutput.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                #"counters ["page_views", "signups"]"#, "page_views 3", "signups 1", "restarted true", "page_views 3",
                "stop signups true", "stop missing false", #"counters ["page_views"]"#,
            ])
    }

    @Test("cluster: two nodes' counters merge to every node's increments")
    func cluster() async throws {
        let epmd = try await EPMDServer.start(host: "127.0.0.1", port: 0)
        defer { Task { await epmd.stop() } }
        let binary = try ColonyBinary.executable("counter-example")
        let a = ExternalProcess(
            executable: binary,
            arguments: ["cluster", "count_a@127.0.0.1", "counters", String(epmd.port), "count_b@127.0.0.1", "3", "5"])
        let b = ExternalProcess(
            executable: binary,
            arguments: ["cluster", "count_b@127.0.0.1", "counters", String(epmd.port), "count_a@127.0.0.1", "2", "5"])
        try a.start()
        defer { a.kill() }
        try b.start()
        defer { b.kill() }
        let statusA = await a.wait(timeout: .seconds(40))
        let statusB = await b.wait(timeout: .seconds(40))
        #expect(statusA == 0 && statusB == 0, "a: \(a.standardOutput) \(a.standardError) b: \(b.standardOutput)")
        #expect(a.standardOutput.contains("local increments 3") && a.standardOutput.contains("converged hits 5"))
        #expect(b.standardOutput.contains("local increments 2") && b.standardOutput.contains("converged hits 5"))
    }
}
