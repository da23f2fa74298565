public import Hummingbird
import Metrics
import NIOCore
public import Prometheus

/// Colony's metrics for operators: swift-metrics bootstrapped with a Prometheus registry, and an
/// HTTP endpoint that serves it (`GET /metrics`, Prometheus' text format).
///
/// ```swift
/// let registry = ColonyMetrics.bootstrapPrometheus()
/// let endpoint = ColonyMetrics.endpoint(registry: registry, host: "0.0.0.0", port: 9568)
/// // run `endpoint` in a ServiceGroup beside the node
/// ```
public enum ColonyMetrics {
    private static let shared: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// Bootstraps swift-metrics with a Prometheus registry and returns it. The metrics system is
    /// bootstrapped once per OS process; later calls return the same registry.
    public static func bootstrapPrometheus() -> PrometheusCollectorRegistry {
        shared
    }

    /// An HTTP service answering `GET /metrics` with `registry` in Prometheus' text format, on
    /// `host`:`port` (0: any free port; `onRunning` gets the port once it listens).
    public static func endpoint(
        registry: PrometheusCollectorRegistry, host: String, port: Int,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("metrics") { _, _ -> Response in
            let bytes = registry.emitToBuffer()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "colony"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) })
    }
}
