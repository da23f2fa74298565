import Colony
import ErlangTerm
import Testing

/// Processes and reactors on a node's scheduler, and on Swift's global executor.
@Suite("Node execution")
struct NodeExecutionTests {
    /// A receive-loop echo process, a reactor counter and a client that ping-pongs with both;
    /// returns how many of the client's and the servers' steps ran on `scheduler`'s threads.
    func pingPong(on node: Node, checking scheduler: ProcessScheduler, rounds: Int) async throws -> (
        done: Bool, onScheduler: Int
    ) {
        let onScheduler = JobCounter()
        let finished = JobFlag()
        let echo = node.spawn { process in
            while true {
                let message = try await process.receive()
                if scheduler.isCurrentThread { onScheduler.increment() }
                guard case .tuple(let t) = message, t.count == 2, case .pid(let from) = t[0] else { continue }
                await process.send(t[1], to: from)
            }
        }
        let counter = node.spawnReactor(initial: 0) { count, message, process in
            if scheduler.isCurrentThread { onScheduler.increment() }
            count += 1
            if case .pid(let from) = message { await process.send(.integer(count), to: from) }
            return .continue
        }
        node.spawn { process in
            for round in 0..<rounds {
                await process.send(.tuple([.pid(process.pid), .integer(round)]), to: echo)
                guard try await process.receive() == .integer(round) else { return }
                await process.send(.pid(process.pid), to: counter)
                guard try await process.receive() == .integer(round + 1) else { return }
                if scheduler.isCurrentThread { onScheduler.increment() }
            }
            await process.exit(echo, reason: "kill")
            await process.exit(counter, reason: "kill")
            finished.set()
        }
        let done = try await eventually { finished.isSet }
        return (done, onScheduler.count)
    }

    @Test("processes and reactors run on the node's scheduler")
    func onScheduler() async throws {
        let scheduler = ProcessScheduler(threads: 2, name: "node-test")
        let node = Node(execution: .scheduler(scheduler))
        let (done, onScheduler) = try await pingPong(on: node, checking: scheduler, rounds: 2000)
        #expect(done)
        #expect(onScheduler == 3 * 2000)
        #expect(try await eventually { node.processCount == 0 })
        scheduler.shutdown()
    }

    @Test("the global executor still runs processes")
    func onGlobalExecutor() async throws {
        let scheduler = ProcessScheduler(threads: 1, name: "unused")
        let node = Node(execution: .globalExecutor)
        let (done, onScheduler) = try await pingPong(on: node, checking: scheduler, rounds: 2000)
        #expect(done)
        #expect(onScheduler == 0)
        scheduler.shutdown()
    }
}
