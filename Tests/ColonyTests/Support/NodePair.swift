import Colony
import ColonyTestSupport

/// Two nodes in this test process without EPMD, on one free port at 127.0.0.1 and 127.0.0.2.
final class NodePair: Sendable {
    let a: Node
    let b: Node

    init(_ label: String, cookie: String = "pair") async throws {
        let port = try Int(ExternalProcess.freeLoopbackPort())
        func configuration(_ name: String, _ address: String) -> NodeConfiguration {
            var configuration = NodeConfiguration(name: name, cookie: cookie)
            configuration.usesEPMD = false
            configuration.distributionPort = port
            configuration.listenAddress = address
            return configuration
        }
        a = try await Node.start(configuration("\(label)_a@127.0.0.1", "127.0.0.1"))
        b = try await Node.start(configuration("\(label)_b@127.0.0.2", "127.0.0.2"))
    }

    func stop() async {
        await a.stop()
        await b.stop()
    }
}
