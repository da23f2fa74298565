public import Tracing

/// The tracer a node records its spans with (swift-distributed-tracing), set in
/// ``NodeConfiguration/tracer``. With one, a node wraps each GenServer call (client and server
/// side) and each rpc (caller and the process running it) in a span, and carries the caller's
/// trace context to Colony peers in the distribution protocol's trace-token slot, so a call from
/// one Colony node to another continues the caller's trace. Without one, none of this costs
/// anything.
///
/// ```swift
/// var configuration = NodeConfiguration(name: "a@127.0.0.1", cookie: "secret")
/// configuration.tracer = ColonyTracer(InstrumentationSystem.tracer)   // e.g. swift-otel's
/// ```
public struct ColonyTracer: Sendable {
    private let start: @Sendable (String, ServiceContext, SpanKind) -> any Span
    private let injectInto: @Sendable (ServiceContext) -> [String: String]
    private let extractFrom: @Sendable ([String: String], ServiceContext) -> ServiceContext

    /// Records spans with `tracer`, and injects and extracts trace context with it.
    public init<T: Tracer>(_ tracer: T) {
        start = { name, context, kind in tracer.startSpan(name, context: context, ofKind: kind) }
        injectInto = { context in
            var carrier: [String: String] = [:]
            tracer.inject(context, into: &carrier, using: DictionaryCarrier())
            return carrier
        }
        extractFrom = { carrier, base in
            var context = base
            tracer.extract(carrier, into: &context, using: DictionaryCarrier())
            return context
        }
    }

    /// Runs `body` in a span named `name` (its context the task's current one while `body`
    /// runs), records a thrown error on it, and ends it.
    func withSpan<T>(
        _ name: String, kind: SpanKind, parent: ServiceContext? = nil, attributes: [String: String] = [:],
        _ body: () async throws -> T
    ) async rethrows -> T {
        let span = start(name, parent ?? ServiceContext.current ?? .topLevel, kind)
        for (key, value) in attributes { span.attributes[key] = value }
        defer { span.end() }
        do {
            return try await ServiceContext.withValue(span.context) { try await body() }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }

    /// The headers that carry `context` (e.g. W3C `traceparent`), as the tracer writes them.
    func inject(_ context: ServiceContext) -> [String: String] {
        injectInto(context)
    }

    /// The context `carrier`'s headers describe.
    func extract(_ carrier: [String: String]) -> ServiceContext {
        extractFrom(carrier, .topLevel)
    }
}

/// Trace headers as a dictionary, both ways.
struct DictionaryCarrier: Injector, Extractor {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }

    func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key]
    }
}
