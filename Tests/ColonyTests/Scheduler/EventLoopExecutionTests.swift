import Colony
import ColonyTestSupport
import ErlangTerm
import NIOCore
import NIOPosix
import Testing

/// Nodes whose processes run on the event loop that runs their connections: processes, GenServer
/// calls, timeouts and remote calls behave as on the scheduler.
@Suite("Event-loop execution", .timeLimit(.minutes(1)))
struct EventLoopExecutionTests {
    @Test("local and remote calls, receive timeouts and spawn on event-loop nodes")
    func eventLoopNodes() async throws {
        let port = try Int(ExternalProcess.freeLoopbackPort())
        func start(_ name: String, _ address: String) async throws -> (Node, MultiThreadedEventLoopGroup) {
            var configuration = NodeConfiguration(name: name, cookie: "eventloop")
            configuration.usesEPMD = false
            configuration.distributionPort = port
            configuration.listenAddress = address
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            return (
                try await Node.start(configuration, eventLoopGroup: group, execution: .eventLoop(group.next())), group
            )
        }
        let (a, groupA) = try await start("el_a@127.0.0.1", "127.0.0.1")
        let (b, groupB) = try await start("el_b@127.0.0.2", "127.0.0.2")
        try await b.startServer(KeyValueServer(), name: .local("kv"))
        b.functions.register(module: "m", function: "double") { arguments, _ in
            guard case .integer(let n)? = arguments.first else { throw ProcessExit("badarg") }
            return .integer(2 * n)
        }
        let outcome = try await a.runProcess { process -> [Term] in
            var seen: [Term] = []
            seen.append(try await process.call(.remote("kv", node: b.name), .tuple(["put", "k", 1])))
            seen.append(try await process.call(.remote("kv", node: b.name), .tuple(["get", "k"])))
            seen.append(try await process.rpc(b.name, "m", "double", [21]))
            seen.append(try await process.receive(timeout: .milliseconds(20)) ?? "timeout")
            return seen
        }
        #expect(outcome == ["ok", 1, 42, "timeout"])
        await a.stop()
        await b.stop()
        try await groupA.shutdownGracefully()
        try await groupB.shutdownGracefully()
    }
}
