import Colony
import ColonyTestSupport
import ErlangDistribution
import ErlangTerm
import Foundation
import Testing

/// Three Colony nodes as separate `colony` OS processes, and this test's own node: transitive
/// connection, ordering over the network, and nodedown when one is killed.
@Suite("Colony nodes as OS processes", .serialized)
struct MultiNodeProcessTests {
    @Test("three colony processes connect transitively, keep order, and see a killed one go down")
    func threeNodes() async throws {
        let epmdPort = try Int(ExternalProcess.freeLoopbackPort())
        let epmd = try await EPMDServer.start(host: "127.0.0.1", port: epmdPort)
        var processes: [ExternalProcess] = []
        defer { for process in processes { process.kill() } }
        let cookie = "multinode"
        let n1 = try ColonyBinary.startNode(name: "n1@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
        processes.append(n1)
        #expect(await n1.waitForOutput("started", timeout: .seconds(20)), "n1: \(n1.standardError)")
        let n2 = try ColonyBinary.startNode(
            name: "n2@127.0.0.1", cookie: cookie, epmdPort: epmdPort, extra: ["--connect", "n1@127.0.0.1"])
        processes.append(n2)
        #expect(await n2.waitForOutput("connect n1@127.0.0.1: connected", timeout: .seconds(20)), "\(n2.standardError)")
        let n3 = try ColonyBinary.startNode(
            name: "n3@127.0.0.1", cookie: cookie, epmdPort: epmdPort, extra: ["--connect", "n1@127.0.0.1"])
        processes.append(n3)
        #expect(await n3.waitForOutput("connect n1@127.0.0.1: connected", timeout: .seconds(20)), "\(n3.standardError)")

        var configuration = NodeConfiguration(name: "tester@127.0.0.1", cookie: cookie)
        configuration.epmdPort = epmdPort
        configuration.listenAddress = "127.0.0.1"
        configuration.startsEPMDServer = false
        let node = try await Node.start(configuration)
        defer { Task { await node.stop() } }
        let events = node.monitorNodes()
        let sawDown = Box()
        let watcher = Task {
            for await event in events {
                if case .nodeDown(let peer, _, let reason) = event, peer == "n3@127.0.0.1" {
                    sawDown.set(.string(reason))
                }
            }
        }
        defer { watcher.cancel() }

        // Transitive: n3 learned n2 from n1, so n2 and n3 are connected without being told.
        let peersOfN2 = try await visibleNodes(of: "n2@127.0.0.1", from: node, expecting: "n3@127.0.0.1")
        #expect(peersOfN2.contains("n3@127.0.0.1"), "n2 sees \(peersOfN2)")
        #expect(peersOfN2.contains("n1@127.0.0.1"))

        // Ordering: 100,000 messages to n1's echo come back in the order they were sent.
        let count = 100_000
        let received = Box()
        let collector = node.spawn { process in
            var next = 0
            while next < count {
                guard let message = try await process.receive(timeout: .seconds(30)) else { break }
                guard case .tuple(let t) = message, t.count == 2, t[1] == .integer(next) else {
                    received.set(.string("out of order at \(next): \(message)"))
                    return
                }
                next += 1
            }
            received.set(next == count ? "ok" : .string("only \(next) of \(count)"))
        }
        node.spawn { process in
            for i in 0..<count {
                await process.send(.tuple([.pid(collector), .integer(i)]), to: "echo", on: "n1@127.0.0.1")
            }
        }
        #expect(await received.wait(timeout: .seconds(60)) == "ok")

        // kill -9 n3: this node sees nodedown, and n1 drops it from its list.
        n3.kill()
        let downReason = await sawDown.wait(timeout: .seconds(10))
        #expect(downReason == .string("connection_closed"))
        #expect(!node.nodes().contains("n3@127.0.0.1"))
        var n1Peers: [Atom] = []
        for _ in 0..<100 {
            n1Peers = try await visibleNodes(of: "n1@127.0.0.1", from: node, expecting: nil)
            if !n1Peers.contains("n3@127.0.0.1") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(!n1Peers.contains("n3@127.0.0.1"), "n1 still lists n3: \(n1Peers)")
        await epmd.stop()
    }

    /// Asks a Colony node's `colony_net` process for its visible nodes, retrying (bounded) until
    /// `expecting` is among them.
    func visibleNodes(of peer: Atom, from node: Node, expecting: Atom?) async throws -> [Atom] {
        var last: [Atom] = []
        for _ in 0..<50 {
            let answer = Box()
            let asker = node.spawn { process in
                await process.send(.tuple(["colony_nodes_request", .pid(process.pid)]), to: "colony_net", on: peer)
                let reply = try await process.receive(timeout: .seconds(5)) { message -> Term? in
                    guard case .tuple(let t) = message, t.count == 3, t[0] == "colony_nodes" else { return nil }
                    return t[2]
                }
                answer.set(reply ?? .list([]))
            }
            _ = asker
            let reply = await answer.wait(timeout: .seconds(10))
            last = reply?.listElements?.compactMap(\.atomValue) ?? []
            if expecting == nil || last.contains(expecting!) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        return last
    }
}

/// A value handed from a process to the test, with a bounded wait.
final class Box: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Term?

    func set(_ value: Term) {
        lock.lock()
        if self.value == nil { self.value = value }
        lock.unlock()
    }

    func wait(timeout: Duration) async -> Term? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let current = lock.withLock { value }
            if let current { return current }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }
}
