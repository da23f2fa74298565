import Colony
import ColonyTestSupport
import Distributed
import ErlangTerm
import Testing

/// A protocol callers resolve without knowing the concrete actor type.
@Resolvable
protocol Greeting: DistributedActor where ActorSystem == ColonyActorSystem {
    distributed func greet(_ name: String) -> String
}

distributed actor FriendlyGreeter: Greeting {
    typealias ActorSystem = ColonyActorSystem
    distributed func greet(_ name: String) -> String { "Hi, \(name)" }
}

/// `@Resolvable` protocols across nodes, and actors under a supervisor.
@Suite("Resolvable and supervised actors", .timeLimit(.minutes(1)))
struct ResolvableActorTests {
    @Test("a caller resolves a @Resolvable protocol's stub and calls the concrete actor on another node")
    func resolvable() async throws {
        let pair = try await DistributedActorTests.Pair("resolvable")
        let greeter = FriendlyGreeter(actorSystem: pair.systemB)
        // A call through the protocol names its stub type: the hosting node allows it.
        pair.systemB.allowGenericType($Greeting.self)
        let stub = try $Greeting.resolve(id: greeter.id, using: pair.systemA)
        #expect(try await stub.greet("protocol") == "Hi, protocol")
        await pair.stop()
    }

    @Test("a supervised actor is restarted under its name after its process ends abnormally")
    func supervised() async throws {
        let node = Node()
        let system = ColonyActorSystem(node: node)
        try await node.startSupervisor(
            children: [.actor(id: "greeter", system: system, name: "greeter") { FriendlyGreeter(actorSystem: $0) }])
        let first = try #require(node.whereis("greeter"))
        let byName = try system.resolve(name: "greeter", on: node.name, as: FriendlyGreeter.self)
        #expect(try await byName.greet("one") == "Hi, one")
        await system.stop(ColonyActorID(pid: first), reason: "crashed")
        var second = node.whereis("greeter")
        for _ in 0..<400 where second == nil || second == first {
            try await Task.sleep(for: .milliseconds(5))
            second = node.whereis("greeter")
        }
        #expect(second != nil && second != first)
        let again = try system.resolve(name: "greeter", on: node.name, as: FriendlyGreeter.self)
        #expect(try await again.greet("two") == "Hi, two")
    }
}
