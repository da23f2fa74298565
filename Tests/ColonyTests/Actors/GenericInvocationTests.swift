import Colony
import ColonyTestSupport
import Distributed
import ErlangTerm
import Testing

/// An actor with a generic method: its calls carry a type name on the wire.
distributed actor Boxer {
    typealias ActorSystem = ColonyActorSystem

    distributed func box<Value: Codable & Sendable>(_ value: Value) -> [Value] { [value, value] }
}

/// A type name from the wire resolves only to a type the receiving node allowed.
@Suite("Distributed actors: generic calls", .timeLimit(.minutes(1)))
struct GenericInvocationTests {
    @Test("a generic call is refused until its type is allowed, then works")
    func allowList() async throws {
        let nodes = try await NodePair("generic", cookie: "generic")
        let systemA = ColonyActorSystem(node: nodes.a)
        let systemB = ColonyActorSystem(node: nodes.b)
        let boxer = Boxer(actorSystem: systemB)
        let remote = try Boxer.resolve(id: boxer.id, using: systemA)
        do {
            _ = try await remote.box(21)
            Issue.record("a type that was not allowed resolved")
        } catch let error as ColonyActorError {
            #expect("\(error)".contains("not allowed"), "\(error)")
        }
        systemB.allowGenericType(Int.self)
        #expect(try await remote.box(21) == [21, 21])
        await nodes.stop()
    }
}
