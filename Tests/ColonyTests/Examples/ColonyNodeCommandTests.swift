import Colony
import ColonyTestSupport
import ErlangDistribution
import ErlangTerm
import Foundation
import Testing

/// `colony node` runs its root tree (echo, kv) under swift-service-lifecycle: peers call its `kv`
/// server, and SIGTERM stops the tree and the node and exits 0.
@Suite("colony node", .timeLimit(.minutes(1)))
struct ColonyNodeCommandTests {
    @Test(
        "kv answers the GlobalStateManager protocol; SIGTERM stops cleanly with status 0",
        arguments: [[], ["--event-loop-execution"]])
    func keyValueAndSigterm(extra: [String]) async throws {
        let epmd = try await EPMDServer.start(host: "127.0.0.1", port: 0)
        defer { Task { await epmd.stop() } }
        let colony = try ColonyBinary.startNode(
            name: "cmd_node@127.0.0.1", cookie: "command", epmdPort: epmd.port, extra: extra)
        defer { colony.kill() }
        #expect(await colony.waitForOutput("started", timeout: .seconds(20)), "\(colony.standardError)")

        var configuration = NodeConfiguration(name: "cmd_client@127.0.0.1", cookie: "command")
        configuration.epmdPort = epmd.port
        configuration.listenAddress = "127.0.0.1"
        configuration.startsEPMDServer = false
        let client = try await Node.start(configuration)
        defer { Task { await client.stop() } }
        let kv = ServerRef.remote("kv", node: "cmd_node@127.0.0.1")
        #expect(try await client.call(kv, .tuple(["put", "greeting", .string("hello")])) == "ok")
        #expect(try await client.call(kv, .tuple(["get", "greeting"])) == .string("hello"))
        #expect(try await client.call(kv, .tuple(["get", "missing"])) == .nil)
        #expect(try await client.call(kv, "get_all") == .map(TermMap([("greeting", .string("hello"))])))

        colony.signal(SIGTERM)
        let status = await colony.wait(timeout: .seconds(20))
        #expect(status == 0, "\(colony.standardOutput) \(colony.standardError)")
        #expect(colony.standardOutput.contains("stopped"))
    }
}
