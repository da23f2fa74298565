import ColonyTestSupport
import Foundation
import Testing

/// The guide's DistributedCache example on the Raft store runs: TTL, failover of the leader's
/// node, cleanup and a node added later.
@Suite("Example: distributed cache", .timeLimit(.minutes(1)))
struct CacheExampleTests {
    @Test("demo: put with and without TTL, failover, expiry, cleanup, a fourth node")
    func demo() async throws {
        let example = ExternalProcess(executable: try ColonyBinary.executable("cache-example"), arguments: ["demo"])
        try example.start()
        defer { example.kill() }
        let status = await example.wait(timeout: .seconds(50))
        #expect(status == 0, "\(example.standardError.suffix(2000))")
        let lines = example.standardOutput.split(separator: "\n").map(String.init).filter {
            !$0.contains("colony.node")
        }
        #expect(lines.first == "cluster cache1@127.0.0.1,cache2@127.0.0.2,cache3@127.0.0.3")
        #expect(lines.contains(#"get session:42 on node 3: <<"alice">>"#))
        #expect(lines.contains { $0.hasPrefix("stopped the leader") })
        #expect(lines.contains(#"get session:42 after failover: <<"alice">>"#))
        #expect(lines.contains(#"get after:failover: <<"still writable">>"#))
        #expect(lines.contains("get token:7 after its TTL: nil"))
        #expect(lines.contains(#"keys ["after:failover", "session:42"]"#))
        #expect(lines.contains(#"node 4 local get session:42: <<"alice">>"#))
        #expect(lines.last == "done")
    }
}
