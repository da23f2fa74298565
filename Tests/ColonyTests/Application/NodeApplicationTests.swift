import Colony
import ColonyTestSupport
import ErlangTerm
import Logging
import ServiceLifecycle
import Testing

/// A node and its root supervision tree under swift-service-lifecycle: graceful shutdown stops
/// the children in reverse start order and then the node; a root supervisor that gives up ends
/// `run()` with an error.
@Suite("NodeApplication", .timeLimit(.minutes(1)))
struct NodeApplicationTests {
    /// Records its terminate, so the test sees the order in which children stopped.
    struct Recorder: GenServer {
        let id: String
        let journal: Journal
        mutating func initialize(process: ProcessContext) async throws -> GenServerStart {
            process.trapExit = true
            journal.record(.tuple(["start", .string(id)]))
            return .ready
        }
        mutating func handleCall(_ request: Term, from: CallerRef, process: ProcessContext) async throws -> CallResult {
            if request == "crash" { throw ProcessExit("crash") }
            return .reply(.string(id))
        }
        mutating func terminate(reason: Term, process: ProcessContext) async {
            journal.record(.tuple(["stop", .string(id), reason]))
        }
    }

    func configuration(_ name: String) throws -> NodeConfiguration {
        var configuration = NodeConfiguration(name: name, cookie: "application")
        configuration.usesEPMD = false
        configuration.distributionPort = try Int(ExternalProcess.freeLoopbackPort())
        configuration.listenAddress = "127.0.0.1"
        return configuration
    }

    func children(_ journal: Journal) -> [ChildSpec] {
        ["first", "second", "third"].map { id in
            ChildSpec(id: .atom(Atom(id))) { node, supervisor in
                try await node.startServer(Recorder(id: id, journal: journal), name: .local(Atom(id)), link: supervisor)
            }
        }
    }

    @Test("graceful shutdown stops the tree in reverse start order, then the node")
    func gracefulShutdown() async throws {
        let journal = Journal()
        let nodes = NodeBox()
        let application = NodeApplication(
            configuration: try configuration("app_a@127.0.0.1"), logger: Logger(label: "test"),
            started: { node, _ in nodes.set(node) }, children: { _ in children(journal) })
        let group = ServiceGroup(services: [application], logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        let node = try #require(await nodes.wait())
        #expect(try await node.call(.name("second"), "who") == .string("second"))
        await group.triggerGracefulShutdown()
        try await running.value
        let stops = journal.all.filter { if case .tuple(let t) = $0 { t[0] == "stop" } else { false } }
        #expect(
            stops == [
                .tuple(["stop", .string("third"), "shutdown"]), .tuple(["stop", .string("second"), "shutdown"]),
                .tuple(["stop", .string("first"), "shutdown"]),
            ])
        #expect(node.nodes(.connected).isEmpty && node.whereis("first") == nil)
    }

    @Test("a root supervisor that gives up ends run() with its reason")
    func rootGivesUp() async throws {
        let journal = Journal()
        let nodes = NodeBox()
        let application = NodeApplication(
            configuration: try configuration("app_b@127.0.0.1"), maxRestarts: 1, maxSeconds: 60,
            logger: Logger(label: "test"), started: { node, _ in nodes.set(node) },
            children: { _ in children(journal) })
        let running = Task { try await application.run() }
        let node = try #require(await nodes.wait())
        _ = try? await node.call(.name("first"), "crash")
        for _ in 0..<500 where node.whereis("first") == nil { try await Task.sleep(for: .milliseconds(5)) }
        _ = try? await node.call(.name("first"), "crash")
        await #expect(throws: NodeApplicationError.rootSupervisorExited("shutdown")) { try await running.value }
    }
}

/// Hands the started node to the test.
final class NodeBox: Sendable {
    private let slot = InteropSlot<Node>()

    func set(_ node: Node) { slot.set(.success(node)) }

    func wait() async -> Node? { try? await slot.wait(timeout: .seconds(20)) }
}
