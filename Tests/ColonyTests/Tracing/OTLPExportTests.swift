import Colony
import ColonyTelemetry
import ColonyTestSupport
import ErlangTerm
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The OTLP option: a node whose tracer is ``ColonyOTLP`` sends its spans over OTLP/HTTP
/// (protobuf) to a collector, here a small HTTP server in the test that keeps what it receives.
@Suite("Tracing: OTLP export", .serialized)
struct OTLPExportTests {
    @Test("a call's span reaches an OTLP/HTTP collector, with the service name", .timeLimit(.minutes(1)))
    func exportsSpans() async throws {
        let received = Mutex<[Data]>([])
        let listening = ResultBox<Int>()
        let router = Router()
        router.post("v1/traces") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 << 20)
            received.withLock { $0.append(Data(buffer: body)) }
            return Response(status: .ok, headers: [.contentType: "application/x-protobuf"])
        }
        let collector = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in listening.set(channel.localAddress?.port ?? 0) })
        let collectorGroup = ServiceGroup(
            configuration: .init(services: [collector], logger: Logger(label: "test.collector")))
        let collectorTask = Task { try await collectorGroup.run() }
        defer { collectorTask.cancel() }
        let port = try #require(await listening.wait(timeout: .seconds(10)))

        let otlp = try ColonyOTLP.tracing(
            serviceName: "colony-otlp-test", endpoint: "http://127.0.0.1:\(port)/v1/traces",
            batchDelay: .milliseconds(100))
        let exporterGroup = ServiceGroup(
            configuration: .init(services: [otlp.service], logger: Logger(label: "test.otlp")))
        let exporterTask = Task { try await exporterGroup.run() }

        let distributionPort = try Int(ExternalProcess.freeLoopbackPort())
        var configuration = NodeConfiguration(name: "otlp_a@127.0.0.1", cookie: "otlp")
        configuration.usesEPMD = false
        configuration.distributionPort = distributionPort
        configuration.listenAddress = "127.0.0.1"
        configuration.tracer = otlp.tracer
        let a = try await Node.start(configuration)
        var plain = configuration
        plain.name = "otlp_b@127.0.0.2"
        plain.listenAddress = "127.0.0.2"
        plain.tracer = nil
        let b = try await Node.start(plain)
        try await b.startServer(KeyValueServer(), name: .local("kv"))
        let put = try await a.call(.remote("kv", node: b.name), .tuple(["put", "k", 1]), timeout: .seconds(5))
        #expect(put == "ok")

        let deadline = ContinuousClock.now + .seconds(20)
        var bodies: [Data] = []
        while ContinuousClock.now < deadline {
            bodies = received.withLock { $0 }
            if bodies.contains(where: { $0.range(of: Data("gen_server.call".utf8)) != nil }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let exported = try #require(
            bodies.first { $0.range(of: Data("gen_server.call".utf8)) != nil },
            "the collector got \(bodies.count) requests, none with the call's span")
        #expect(exported.range(of: Data("colony-otlp-test".utf8)) != nil, "no service name in the export")
        await a.stop()
        await b.stop()
        await exporterGroup.triggerGracefulShutdown()
        _ = try? await exporterTask.value
        await collectorGroup.triggerGracefulShutdown()
        _ = try? await collectorTask.value
    }
}
