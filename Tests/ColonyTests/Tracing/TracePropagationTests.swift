import ColonyTestSupport
import ErlangTerm
import Foundation
import InMemoryTracing
import Testing
import Tracing

@testable import Colony

/// Spans around GenServer calls and rpc, and the trace context carried between Colony nodes in
/// the distribution protocol's trace-token slot: a call from one node continues the caller's
/// trace on the other, through nested calls back, with each node recording into its own tracer.
/// Against a real Erlang node, calls keep working with tracing on, whether the context goes to it
/// or not.
@Suite("Tracing: spans and context across nodes", .serialized)
struct TracePropagationTests {
    /// Unique ids per tracer, so the two nodes' ids never collide by chance.
    static func tracer(_ prefix: String) -> InMemoryTracer {
        InMemoryTracer(
            idGenerator: .init(
                nextTraceID: { "\(prefix)-trace-\(UUID().uuidString)" },
                nextSpanID: { "\(prefix)-span-\(UUID().uuidString)" }))
    }

    /// A GenServer that answers `ping` with `pong` and `{relay, Node}` by calling `relay_target`
    /// on `Node` and answering what it answered.
    struct Relay: GenServer {
        mutating func handleCall(_ request: Term, from: CallerRef, process: ProcessContext) async throws -> CallResult {
            if case .tuple(let parts) = request, parts.count == 2, parts[0] == "relay", case .atom(let node) = parts[1]
            {
                return .reply(try await process.call(.remote("relay_target", node: node), "ping", timeout: .seconds(5)))
            }
            return .reply("pong")
        }
    }

    static func tracedPair(_ tracerA: InMemoryTracer, _ tracerB: InMemoryTracer) async throws -> (Node, Node) {
        let port = try Int(ExternalProcess.freeLoopbackPort())
        func configuration(_ name: String, _ address: String, _ tracer: InMemoryTracer) -> NodeConfiguration {
            var configuration = NodeConfiguration(name: name, cookie: "trace")
            configuration.usesEPMD = false
            configuration.distributionPort = port
            configuration.listenAddress = address
            configuration.tracer = ColonyTracer(tracer)
            return configuration
        }
        let a = try await Node.start(configuration("trace_a@127.0.0.1", "127.0.0.1", tracerA))
        let b = try await Node.start(configuration("trace_b@127.0.0.2", "127.0.0.2", tracerB))
        return (a, b)
    }

    /// Waits (bounded) until each node knows the other runs Colony.
    static func waitForColonyPeers(_ a: Node, _ b: Node) async throws {
        #expect(await a.connect(to: b.name) == .connected)
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if a.distribution.isColonyPeer(b.name) && b.distribution.isColonyPeer(a.name) { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("the nodes never learned they both run Colony")
    }

    static func span(_ tracer: InMemoryTracer, _ name: String) throws -> FinishedInMemorySpan {
        try #require(
            tracer.finishedSpans.first { $0.operationName == name },
            "no \(name) in \(tracer.finishedSpans.map(\.operationName))")
    }

    /// Waits (bounded) until `tracer` has finished a span named `name`.
    static func waitForSpan(_ tracer: InMemoryTracer, _ name: String) async throws -> FinishedInMemorySpan {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, !tracer.finishedSpans.contains(where: { $0.operationName == name }) {
            try await Task.sleep(for: .milliseconds(5))
        }
        return try span(tracer, name)
    }

    @Test("a GenServer call continues the caller's trace on the other node, and back through a nested call")
    func genServerCall() async throws {
        let tracerA = Self.tracer("a")
        let tracerB = Self.tracer("b")
        let (a, b) = try await Self.tracedPair(tracerA, tracerB)
        defer {
            Task {
                await a.stop(); await b.stop()
            }
        }
        try await a.startServer(Relay(), name: .local("relay_target"))
        try await b.startServer(Relay(), name: .local("relay"))
        try await Self.waitForColonyPeers(a, b)

        let answer = try await tracerA.withSpan("request") { _ in
            try await a.call(.remote("relay", node: b.name), .tuple(["relay", .atom(a.name)]), timeout: .seconds(5))
        }
        #expect(answer == "pong")
        let root = try Self.span(tracerA, "request")
        let client = try await Self.waitForSpan(tracerA, "gen_server.call")
        let server = try await Self.waitForSpan(tracerB, "gen_server.handle_call")
        #expect(client.kind == .client)
        #expect(client.traceID == root.traceID && client.parentSpanID == root.spanID)
        #expect(server.kind == .server)
        #expect(server.traceID == root.traceID, "b's span is not in a's trace")
        #expect(server.parentSpanID == client.spanID, "b's span is not the child of a's call")
        // b's handler called back to a: that call and a's handling of it are in the same trace.
        let nested = try #require(tracerB.finishedSpans.first { $0.operationName == "gen_server.call" })
        #expect(nested.traceID == root.traceID && nested.parentSpanID == server.spanID)
        let handledOnA = try await Self.waitForSpan(tracerA, "gen_server.handle_call")
        #expect(handledOnA.traceID == root.traceID && handledOnA.parentSpanID == nested.spanID)
    }

    @Test("rpc continues the caller's trace where the function runs; a thrown error marks the span")
    func rpc() async throws {
        let tracerA = Self.tracer("a")
        let tracerB = Self.tracer("b")
        let (a, b) = try await Self.tracedPair(tracerA, tracerB)
        defer {
            Task {
                await a.stop(); await b.stop()
            }
        }
        b.functions.register(module: "trace", function: "double") { arguments, _ in
            guard case .integer(let n)? = arguments.first else { throw ProcessExit("badarg") }
            return .integer(2 * n)
        }
        try await Self.waitForColonyPeers(a, b)
        let result = ResultBox<Term>()
        tracerA.withSpan("request") { _ in
            _ = a.spawn { process in
                result.set(try await process.rpc(b.name, "trace", "double", [21], timeout: .seconds(5)))
                _ = try? await process.rpc(b.name, "trace", "double", ["x"], timeout: .seconds(5))
            }
        }
        #expect(await result.wait(timeout: .seconds(10)) == 42)
        let root = try Self.span(tracerA, "request")
        let call = try await Self.waitForSpan(tracerA, "rpc.call trace:double/1")
        let executed = try await Self.waitForSpan(tracerB, "rpc.execute trace:double/1")
        #expect(call.traceID == root.traceID && call.parentSpanID == root.spanID)
        #expect(executed.kind == .server)
        #expect(executed.traceID == root.traceID && executed.parentSpanID == call.spanID)
        #expect(executed.attributes["rpc.method"]?.toSpanAttribute() == "trace:double/1".toSpanAttribute())
        // The second call threw badarg there: its server span records the error.
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, tracerB.finishedSpans.count < 2 {
            try await Task.sleep(for: .milliseconds(5))
        }
        let failed = try #require(tracerB.finishedSpans.last)
        #expect(!failed.errors.isEmpty && failed.status?.code == .error)
    }

    @Test("without a tracer nothing is traced and no token is sent; a call outside any span sends none either")
    func untraced() async throws {
        let tracerB = Self.tracer("b")
        let port = try Int(ExternalProcess.freeLoopbackPort())
        var plain = NodeConfiguration(name: "plain_a@127.0.0.1", cookie: "trace")
        plain.usesEPMD = false
        plain.distributionPort = port
        plain.listenAddress = "127.0.0.1"
        var traced = plain
        traced.name = "plain_b@127.0.0.2"
        traced.listenAddress = "127.0.0.2"
        traced.tracer = ColonyTracer(tracerB)
        let a = try await Node.start(plain)
        let b = try await Node.start(traced)
        defer {
            Task {
                await a.stop(); await b.stop()
            }
        }
        try await b.startServer(Relay(), name: .local("relay"))
        try await Self.waitForColonyPeers(a, b)
        #expect(try await a.call(.remote("relay", node: b.name), "ping", timeout: .seconds(5)) == "pong")
        // b traces its own handling, as a root span: nothing came from a.
        let server = try await Self.waitForSpan(tracerB, "gen_server.handle_call")
        #expect(server.parentSpanID == nil)
        #expect(tracerB.performedContextExtractions.isEmpty)
    }

    @Test(
        "calls to a real Erlang node work with tracing on, with and without sending it the context",
        .timeLimit(.minutes(1)))
    func erlangPeer() async throws {
        try await InteropScope.run("trace-erl") { scope in
            let epmdPort = try await scope.startEPMD(.colony)
            for toErlang in [false, true] {
                let tracer = Self.tracer("c")
                var configuration = NodeConfiguration(
                    name: "trace_c\(toErlang ? 1 : 0)@127.0.0.1", cookie: "trace")
                configuration.epmdPort = epmdPort
                configuration.startsEPMDServer = false
                configuration.listenAddress = "127.0.0.1"
                configuration.tracer = ColonyTracer(tracer)
                configuration.propagatesTraceToErlang = toErlang
                let node = try await Node.start(configuration)
                scope.adopt(node: node)
                let erlName = "trace_erl\(toErlang ? 1 : 0)@127.0.0.1"
                _ = try await scope.startAgent(
                    name: erlName, cookie: "trace", epmdPort: epmdPort, colony: node.name.name)
                let erl = Atom(erlName)
                #expect(await node.connect(to: erl) == .connected)
                // net_kernel answers {is_auth, Node} with yes; rpc runs erlang:node/0 there.
                let (auth, remoteName) = try await tracer.withSpan("request") { _ in
                    let auth = try await node.call(
                        .remote("net_kernel", node: erl), .tuple(["is_auth", .atom(node.name)]), timeout: .seconds(5))
                    let result = ResultBox<Term>()
                    node.spawn { process in
                        result.set(try await process.rpc(erl, "erlang", "node", [], timeout: .seconds(5)))
                    }
                    return (auth, await result.wait(timeout: .seconds(10)))
                }
                #expect(auth == "yes", "toErlang: \(toErlang)")
                #expect(remoteName == .atom(erl), "toErlang: \(toErlang)")
                #expect(node.nodes().contains(erl), "the Erlang node dropped the connection (toErlang: \(toErlang))")
                let call = try Self.span(tracer, "gen_server.call")
                #expect(tracer.performedContextInjections.isEmpty == !toErlang, "toErlang: \(toErlang)")
                #expect(call.errors.isEmpty)
            }
        }
    }

    @Test("a trace label from the network is read only within bounds; anything else is no context")
    func labelBounds() throws {
        let sender = PID(node: "a@h", id: 1, serial: 0, creation: 1)
        let token = try #require(TraceToken.make(headers: ["traceparent": "00-abc-def-01"], sender: sender))
        let label = try #require(TraceToken.label(of: token))
        #expect(TraceToken.headers(in: label) == ["traceparent": "00-abc-def-01"])
        #expect(TraceToken.make(headers: [:], sender: sender) == nil)
        func labelOf(_ pairs: [Term]) -> Term { .tuple(["colony_trace", .list(pairs)]) }
        let many = (0...TraceToken.maximumHeaders).map { Term.tuple([.string("k\($0)"), .string("v")]) }
        #expect(TraceToken.headers(in: labelOf(many)).isEmpty)
        let long = String(repeating: "x", count: TraceToken.maximumLength + 1)
        #expect(TraceToken.headers(in: labelOf([.tuple([.string("k"), .string(long)])])).isEmpty)
        #expect(TraceToken.headers(in: labelOf([.tuple(["k", .string("v")])])).isEmpty)
        #expect(TraceToken.label(of: .tuple([0, .tuple(["other", .list([])]), 0, .pid(sender), 0])) == nil)
        #expect(TraceToken.label(of: .list([])) == nil)
    }
}
