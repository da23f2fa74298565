import Colony
import ColonyTestSupport

/// Two nodes in this test process without EPMD, on one free port at 127.0.0.1 and 127.0.0.2, each
/// on its own transport (plain TCP for `nil`).
final class NodePair: Sendable {
    let a: Node
    let b: Node

    init(
        _ label: String, cookie: String = "pair", a first: (any DistributionTransport)? = nil,
        b second: (any DistributionTransport)? = nil, setupTimeout: Duration? = nil
    ) async throws {
        let port = try Int(ExternalProcess.freeLoopbackPort())
        func configuration(_ name: String, _ address: String, _ transport: (any DistributionTransport)?)
            -> NodeConfiguration
        {
            var configuration = NodeConfiguration(name: name, cookie: cookie)
            configuration.usesEPMD = false
            configuration.distributionPort = port
            configuration.listenAddress = address
            configuration.transport = transport
            if let setupTimeout { configuration.setupTimeout = setupTimeout }
            return configuration
        }
        a = try await Node.start(configuration("\(label)_a@127.0.0.1", "127.0.0.1", first))
        do {
            b = try await Node.start(configuration("\(label)_b@127.0.0.2", "127.0.0.2", second))
        } catch {
            await a.stop()
            throw error
        }
    }

    func stop() async {
        await a.stop()
        await b.stop()
    }

    /// Runs `body` with a new pair, then stops both nodes, also when it throws.
    static func run(
        _ label: String, a: (any DistributionTransport)?, b: (any DistributionTransport)?,
        setupTimeout: Duration? = nil, _ body: (NodePair) async throws -> Void
    ) async throws {
        let pair = try await NodePair(label, a: a, b: b, setupTimeout: setupTimeout)
        do {
            try await body(pair)
        } catch {
            await pair.stop()
            throw error
        }
        await pair.stop()
    }
}
