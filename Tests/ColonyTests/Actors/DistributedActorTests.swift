import Colony
import ColonyTestSupport
import Distributed
import ErlangTerm
import Testing

/// A counter and greeter used across nodes.
distributed actor Greeter {
    typealias ActorSystem = ColonyActorSystem

    enum Refusal: Error, CustomStringConvertible {
        case refused(String)
        var description: String {
            switch self {
            case .refused(let why): "refused: \(why)"
            }
        }
    }

    private var log: [Int] = []
    private var events: [String] = []

    distributed func greet(_ name: String) -> String { "Hello, \(name)!" }

    distributed func append(_ value: Int) { log.append(value) }

    distributed func history() -> [Int] { log }

    distributed func refuse(_ why: String) throws -> Int { throw Refusal.refused(why) }

    distributed func slow(milliseconds: Int) async throws -> String {
        try await Task.sleep(for: .milliseconds(milliseconds))
        return "done"
    }

    /// Suspends between its two events: a runtime that interleaves invocations shows it here.
    distributed func traced(_ id: Int) async throws {
        events.append("start \(id)")
        try await Task.sleep(for: .milliseconds(2))
        events.append("end \(id)")
    }

    distributed func trace() -> [String] { events }
}

/// Distributed actors on two nodes in one test process (EPMD-less, 127.0.0.1 and 127.0.0.2).
@Suite("Distributed actors", .timeLimit(.minutes(1)))
struct DistributedActorTests {
    /// Two nodes with an actor system each.
    final class Pair: Sendable {
        let nodes: NodePair
        let systemA: ColonyActorSystem
        let systemB: ColonyActorSystem
        var a: Node { nodes.a }
        var b: Node { nodes.b }

        init(_ label: String) async throws {
            nodes = try await NodePair(label, cookie: "actors")
            systemA = ColonyActorSystem(node: nodes.a)
            systemB = ColonyActorSystem(node: nodes.b)
        }

        func stop() async { await nodes.stop() }
    }

    @Test("typed calls across nodes by id and by name; thrown errors say what happened")
    func calls() async throws {
        let pair = try await Pair("calls")
        let greeter = Greeter(actorSystem: pair.systemB)
        #expect(pair.systemB.register(greeter, as: "greeter"))
        let byID = try Greeter.resolve(id: greeter.id, using: pair.systemA)
        #expect(try await byID.greet("Colony") == "Hello, Colony!")
        let byName = try pair.systemA.resolve(name: "greeter", on: pair.b.name, as: Greeter.self)
        try await byName.append(7)
        #expect(try await byID.history() == [7])
        do {
            _ = try await byID.refuse("closed")
            Issue.record("no error")
        } catch let error as ColonyActorError {
            guard case .remote(let type, let description) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(type.hasSuffix("Greeter.Refusal"), "\(type)")
            #expect(description == "refused: closed")
        }
        // A local call runs on the actor directly.
        #expect(try await greeter.greet("local") == "Hello, local!")
        await pair.stop()
    }

    @Test("timeouts: the default, and per call")
    func timeouts() async throws {
        let pair = try await Pair("timeouts")
        let system = ColonyActorSystem(node: pair.a, defaultCallTimeout: .milliseconds(100))
        let greeter = Greeter(actorSystem: pair.systemB)
        let remote = try Greeter.resolve(id: greeter.id, using: system)
        await #expect(throws: ColonyActorError.timeout) { try await remote.slow(milliseconds: 500) }
        let done = try await system.withCallTimeout(.seconds(5)) { try await remote.slow(milliseconds: 200) }
        #expect(done == "done")
        await pair.stop()
    }

    @Test("one invocation at a time: suspending calls from concurrent callers never interleave")
    func serialInvocations() async throws {
        let pair = try await Pair("serial")
        let greeter = Greeter(actorSystem: pair.systemB)
        let remote = try Greeter.resolve(id: greeter.id, using: pair.systemA)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in 0..<8 { group.addTask { try await remote.traced(id) } }
            try await group.waitForAll()
        }
        let trace = try await remote.trace()
        #expect(trace.count == 16)
        for pair in stride(from: 0, to: trace.count, by: 2) {
            let start = trace[pair].split(separator: " ")
            let end = trace[pair + 1].split(separator: " ")
            #expect(start.first == "start" && end.first == "end" && start.last == end.last, "\(trace)")
        }
        await pair.stop()
    }

    @Test("10,000 calls from one caller arrive in order; concurrent callers each keep their order")
    func ordering() async throws {
        let pair = try await Pair("order")
        let greeter = Greeter(actorSystem: pair.systemB)
        let remote = try Greeter.resolve(id: greeter.id, using: pair.systemA)
        for value in 0..<10_000 { try await remote.append(value) }
        #expect(try await remote.history() == Array(0..<10_000))

        let second = Greeter(actorSystem: pair.systemB)
        let remoteSecond = try Greeter.resolve(id: second.id, using: pair.systemA)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for caller in 0..<4 {
                group.addTask { for i in 0..<500 { try await remoteSecond.append(caller * 1000 + i) } }
            }
            try await group.waitForAll()
        }
        let seen = try await remoteSecond.history()
        #expect(seen.count == 2000)
        for caller in 0..<4 {
            let mine = seen.filter { $0 / 1000 == caller }
            #expect(mine == Array((caller * 1000)..<(caller * 1000 + 500)))
        }
        await pair.stop()
    }

    @Test("watching: a stopped actor reports its reason and later calls say it is gone; a lost node says noconnection")
    func watching() async throws {
        let pair = try await Pair("watch")
        let greeter = Greeter(actorSystem: pair.systemB)
        let remote = try Greeter.resolve(id: greeter.id, using: pair.systemA)
        #expect(try await remote.greet("x") == "Hello, x!")
        let ended = await pair.systemA.watch(greeter.id)
        // The stop travels after the watch's monitor, on the same connection.
        await pair.systemA.stop(greeter.id, reason: "retired")
        let endReason = await ended.reason()
        #expect(endReason == "retired", "\(endReason)")
        await #expect(throws: ColonyActorError.actorGone(greeter.id)) { try await remote.greet("again") }

        let other = Greeter(actorSystem: pair.systemB)
        let remoteOther = try Greeter.resolve(id: other.id, using: pair.systemA)
        #expect(try await remoteOther.greet("y") == "Hello, y!")
        let lost = await pair.systemA.watch(other.id)
        await pair.b.stop()
        #expect(await lost.reason() == "noconnection")
        await pair.a.stop()
    }
}
