import Colony
import ErlangTerm
import Synchronization
import Testing

/// A process that computes for a long time without suspending must not stall the node's network
/// I/O: remote messages keep arriving and being answered meanwhile.
@Suite("Long computation and network I/O", .serialized)
struct LongComputationTests {
    @Test("a node computing in one process keeps answering a peer's round trips", .timeLimit(.minutes(1)))
    func computeWhileServing() async throws {
        try await InteropScope.run("long-compute") { scope in
            let epmdPort = try await scope.startEPMD(.colony)
            let busy = try await scope.startNode(name: "busy@127.0.0.1", cookie: "compute", epmdPort: epmdPort)
            let peer = try await scope.startNode(name: "asker@127.0.0.1", cookie: "compute", epmdPort: epmdPort)
            let echo = busy.spawnPlainEcho()
            busy.register("echo", pid: echo)
            // Warm the connection up before the computation starts.
            _ = await peer.connect(to: busy.name)

            let computing = Atomic<Bool>(false)
            let result = Atomic<UInt64>(0)
            busy.spawn { _ in
                computing.store(true, ordering: .relaxed)
                // Pure computation with no suspension point, for about 1.5 seconds.
                let end = ContinuousClock.now + .milliseconds(1500)
                var x: UInt64 = 1
                while ContinuousClock.now < end {
                    for _ in 0..<10_000 { x = x &* 6_364_136_223_846_793_005 &+ 1 }
                }
                result.store(x, ordering: .relaxed)
                computing.store(false, ordering: .releasing)
            }
            for _ in 0..<100 where !computing.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(5)) }

            let (answered, slowest) = try await peer.runProcess { process -> (Int, Duration) in
                var answered = 0
                var slowest = Duration.zero
                while computing.load(ordering: .acquiring) {
                    let start = ContinuousClock.now
                    await process.send(.tuple([.pid(process.pid), .integer(answered)]), to: "echo", on: busy.name)
                    guard try await process.receive(timeout: .seconds(2)) != nil else { break }
                    slowest = max(slowest, ContinuousClock.now - start)
                    answered += 1
                }
                return (answered, slowest)
            }
            #expect(result.load(ordering: .relaxed) != 0, "the computation ran to its end")
            #expect(answered >= 50, "only \(answered) round trips while the node computed")
            #expect(slowest < .milliseconds(500), "the slowest round trip took \(slowest)")
        }
    }
}
