import ErlangDistribution
import ErlangTerm
import Testing

@testable import Colony

/// The node's shell of the signal model, fed control messages over in-memory connections: each
/// test replays one fault the node layer used to have.
@Suite("Signal shell: regressions")
struct SignalShellTests {
    @Test("answers to signals for a dead process leave in the order their causes arrived")
    func answersInOrder() async throws {
        let node = Node()
        let peer = try await PeerStub(node: node)
        let dead = node.spawn { _ in }
        for _ in 0..<500 where node.isAlive(dead) { try await Task.sleep(for: .milliseconds(2)) }
        let (r1, r2) = (peer.pid(1), peer.pid(2))
        let reference = node.makeReference()
        for _ in 0..<50 {
            peer.send(.link(from: r1, to: dead))
            peer.send(.monitor(from: r2, target: .pid(dead), reference: reference))
            peer.send(.unlinkID(id: 9, from: r1, to: dead))
        }
        let sent = try await peer.sent()
        #expect(sent.count == 150)
        for (index, message) in sent.enumerated() {
            switch (index % 3, message) {
            case (0, .payloadExit(let from, let to)): #expect(from == dead && to == r1)
            case (1, .payloadMonitorExit(_, let to, let ref)): #expect(to == r2 && ref == reference)
            case (2, .unlinkIDAck(let id, _, _)): #expect(id == 9)
            default: Issue.record("answer \(index) out of order: \(message)")
            }
        }
    }

    @Test("the old connection's loss spares a link made over the new connection to the same node")
    func oldConnectionSparesNewLink() async throws {
        let node = Node()
        let collector = Collector(on: node)
        let old = try await PeerStub(node: node)
        let remote = old.pid(1)
        old.send(.link(from: remote, to: collector.pid))
        // A fast reconnect: the new connection carries a new link before the old one's loss is handled.
        let new = try await PeerStub(node: node, current: false)
        new.send(.link(from: remote, to: collector.pid))
        old.close()
        #expect(await collector.next(timeout: .milliseconds(200)) == nil, "no exit for the new link")
        let process = try #require(node.processes.lookup(collector.pid))
        #expect(process.state.withLock { $0.linkRoute(to: remote) } == new.route)
        new.close()
        let exit = await collector.next()
        #expect(exit == .tuple(["EXIT", .pid(remote), "noconnection"]))
    }

    @Test("a monitor over a connection that closed while it was being set up fires DOWN noconnection")
    func monitorOverClosingConnection() async throws {
        let node = Node()
        // The node still lists the connection, but its close has begun: its route is closed.
        let peer = try await PeerStub(node: node, open: false)
        let remote = peer.pid(1)
        let collector = Collector(on: node)
        let holder = try #require(node.processes.lookup(collector.pid))
        let reference = await node.monitor(holder: holder, target: .pid(remote))
        let down = await collector.next()
        #expect(down == .tuple(["DOWN", .reference(reference), "process", .pid(remote), "noconnection"]))
        #expect(await collector.next(timeout: .milliseconds(100)) == nil, "exactly one DOWN")
    }

    @Test("a DOWN and the connection's loss together fire one DOWN")
    func downThenLoss() async throws {
        let node = Node()
        let peer = try await PeerStub(node: node)
        let remote = peer.pid(1)
        let collector = Collector(on: node)
        let holder = try #require(node.processes.lookup(collector.pid))
        let reference = await node.monitor(holder: holder, target: .pid(remote))
        peer.send(.payloadMonitorExit(from: .pid(remote), to: collector.pid, reference: reference), payload: "bye")
        peer.close()
        #expect(await collector.next() == .tuple(["DOWN", .reference(reference), "process", .pid(remote), "bye"]))
        #expect(await collector.next(timeout: .milliseconds(100)) == nil, "exactly one DOWN")
    }

    @Test("signals to a pid of an earlier incarnation reach no process that reuses its id")
    func earlierCreation() async throws {
        let node = Node()
        let peer = try await PeerStub(node: node)
        let remote = peer.pid(1)
        let collector = Collector(on: node)
        var stale = collector.pid
        stale.creation &+= 7
        #expect(node.processes.lookup(stale) == nil)
        peer.send(.link(from: remote, to: collector.pid))
        peer.send(.unlinkID(id: 3, from: remote, to: stale))
        peer.send(.payloadExit(from: remote, to: stale), payload: "boom")
        peer.send(.payloadExit2(from: remote, to: stale), payload: "kill")
        peer.send(.send(to: stale), payload: "hello")
        let process = try #require(node.processes.lookup(collector.pid))
        #expect(process.state.withLock { $0.isLinked(to: remote) }, "the stale UNLINK left the live link")
        #expect(await collector.next(timeout: .milliseconds(200)) == nil, "nothing reached the live process")
        #expect(node.isAlive(collector.pid))
        // The stale LINK is refused with noproc, as for a dead process.
        peer.send(.link(from: remote, to: stale))
        let sent = try await peer.sent()
        #expect(sent.contains(.payloadExit(from: stale, to: remote)))
    }
}
