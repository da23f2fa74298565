import Colony
import ColonyTestSupport
import ErlangDistribution
import Foundation
import Testing

/// The guide's WorkerPool (pg) and GlobalStateManager (global) across three `groups-example` OS
/// processes: every node sees every node's workers, exactly one node runs the state manager, and
/// every node reaches it by its global name.
@Suite("Example: worker pool and global state", .timeLimit(.minutes(2)))
struct GroupsExampleTests {
    @Test("three nodes: one pool, one state manager, one shared state")
    func threeNodes() async throws {
        let epmd = try await EPMDServer.start(host: "127.0.0.1", port: 0)
        defer { Task { await epmd.stop() } }
        let binary = try ColonyBinary.executable("groups-example")
        let names = ["pool_a@127.0.0.1", "pool_b@127.0.0.1", "pool_c@127.0.0.1"]
        var processes: [ExternalProcess] = []
        defer { for process in processes { process.kill() } }
        for name in names {
            let process = ExternalProcess(
                executable: binary,
                arguments: ["node", name, "pool", String(epmd.port), names.joined(separator: ","), "2"])
            try process.start()
            processes.append(process)
        }
        for process in processes {
            let status = await process.wait(timeout: .seconds(90))
            #expect(status == 0, "\(process.standardOutput)\n\(process.standardError)")
        }
        let outputs = processes.map(\.standardOutput)
        for output in outputs {
            #expect(output.contains("workers 6 pool_a@127.0.0.1=2 pool_b@127.0.0.1=2 pool_c@127.0.0.1=2"), "\(output)")
            #expect(output.contains("dispatched 10"), "\(output)")
            #expect(output.contains("broadcast to 6"), "\(output)")
            #expect(output.contains("global state has every node's key"), "\(output)")
        }
        let started = outputs.filter { $0.contains("state manager started here") }
        #expect(started.count == 1, "\(outputs)")
        let elsewhere = outputs.filter { $0.contains("state manager already running on ") }
        #expect(elsewhere.count == 2, "\(outputs)")
    }
}
