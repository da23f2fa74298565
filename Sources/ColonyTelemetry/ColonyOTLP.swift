public import Colony
import OTel
public import ServiceLifecycle

/// Exports a node's spans to an OpenTelemetry collector over OTLP/HTTP (swift-otel), for
/// ``Colony/NodeConfiguration/tracer``.
///
/// ```swift
/// let otlp = try ColonyOTLP.tracing(serviceName: "orders", endpoint: "http://collector:4318/v1/traces")
/// configuration.tracer = otlp.tracer
/// // Run otlp.service beside the node (a ServiceGroup): it batches and sends the spans.
/// ```
///
/// The standard `OTEL_EXPORTER_OTLP_*` and `OTEL_SERVICE_NAME` environment variables apply on
/// top; logs and metrics are not exported here (Colony's metrics go to Prometheus).
public enum ColonyOTLP {
    /// A tracer exporting to `endpoint` (the full URL, e.g. `http://127.0.0.1:4318/v1/traces`;
    /// `nil`: the environment's or swift-otel's default) and the service that exports its spans,
    /// in batches of at most `batchDelay`.
    public static func tracing(
        serviceName: String, endpoint: String?, batchDelay: Duration = .seconds(1)
    ) throws -> (tracer: ColonyTracer, service: any Service) {
        var configuration = OTel.Configuration.default
        configuration.serviceName = serviceName
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.traces.batchSpanProcessor.scheduleDelay = batchDelay
        if let endpoint { configuration.traces.otlpExporter.endpoint = endpoint }
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        return (ColonyTracer(backend.factory), backend.service)
    }
}
