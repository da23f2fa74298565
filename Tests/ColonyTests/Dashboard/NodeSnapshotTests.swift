import Colony
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// What a node shows an observer: the processes with the most messages waiting (also those a
/// selective receive skipped), registered names, supervision trees, restart and node events; and
/// the same snapshot fetched from another node with `colony_observer:snapshot`.
@Suite("Dashboard: node snapshots", .serialized)
struct NodeSnapshotTests {
    @Test("a flooded process tops the list, with its name, its queue and an estimate of its bytes")
    func topProcesses() async throws {
        let node = Node()
        let release = ResultBox<Bool>()
        let gate = ResultBox<Bool>()
        let busy = node.spawn { process in
            // Busy with something else: everything sent stays queued in the mailbox.
            _ = await release.wait(timeout: .seconds(10))
            _ = try await process.receive { $0 == "go" ? true : nil }
            gate.set(true)
        }
        #expect(node.register("busy", pid: busy))
        for index in 0..<40 {
            await node.send(.tuple(["work", .integer(index), .binary(Array(repeating: 7, count: 100))]), to: busy)
        }
        let snapshot = await node.snapshot(topProcesses: 3)
        let top = try #require(snapshot.topProcesses.first)
        #expect(top.name == "busy")
        #expect(top.mailbox == 40)
        #expect(top.queuedBytes >= 40 * 100, "\(top.queuedBytes)")
        #expect(snapshot.topProcesses.count <= 3)
        #expect(snapshot.processCount == node.processCount)
        release.set(true)
        await node.send("go", to: busy)
        #expect(await gate.wait(timeout: .seconds(5)) == true)
    }

    @Test("messages a selective receive skipped still count as waiting")
    func skippedMessagesCount() async throws {
        let node = Node()
        let picky = node.spawn { process in
            _ = try await process.receive { $0 == "never" ? true : nil }
        }
        for _ in 0..<5 { await node.send("other", to: picky) }
        // The process takes the five out of its mailbox while looking for "never".
        let deadline = ContinuousClock.now + .seconds(5)
        var seen = 0
        while ContinuousClock.now < deadline {
            let snapshot = await node.snapshot(topProcesses: 1)
            seen = snapshot.topProcesses.first?.mailbox ?? 0
            if seen == 5 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(seen == 5)
    }

    @Test("supervision trees nest, and a restart is an event naming the supervisor and the child")
    func supervisionAndRestarts() async throws {
        let node = Node()
        let inner = ChildSpec(id: "inner_sup", type: .supervisor) { node, parent in
            try await node.startSupervisor(
                strategy: .oneForOne,
                children: [ChildSpec(id: "leaf") { node, sup in node.spawn(link: sup) { _ = try await $0.receive() } }],
                name: .local("inner_sup"), link: parent)
        }
        let worker = ChildSpec(id: "worker") { node, sup in
            let pid = node.spawn(link: sup) { process in
                _ = try await process.receive()
                throw ProcessExit("boom")
            }
            return pid
        }
        let root = try await node.startSupervisor(
            strategy: .oneForOne, children: [worker, inner], name: .local("root_sup"))
        let snapshot = await node.snapshot()
        let tree = try #require(snapshot.supervision.first, "\(snapshot.supervision)")
        #expect(snapshot.supervision.count == 1)
        #expect(tree.id == "root_sup")
        #expect(tree.children.map(\.id) == ["worker", "inner_sup"])
        #expect(tree.children.map(\.type) == ["worker", "supervisor"])
        #expect(tree.children[1].name == "inner_sup")
        #expect(tree.children[1].children.map(\.id) == ["leaf"])
        #expect(tree.children.allSatisfy { $0.status == "running" })

        let children = try await SupervisorRef(.pid(root), on: node).whichChildren()
        let first = try #require(children.first?.pid)
        await node.send("crash", to: first)
        let deadline = ContinuousClock.now + .seconds(5)
        var restart: ObservedEvent?
        while ContinuousClock.now < deadline, restart == nil {
            restart = node.recentEvents().first { $0.kind == .restart }
            try await Task.sleep(for: .milliseconds(10))
        }
        let event = try #require(restart)
        #expect(event.subject == "root_sup")
        #expect(event.detail.contains("child worker restarted as <0."), "\(event.detail)")
        #expect(event.detail.contains("boom"), "\(event.detail)")
    }

    @Test("another node fetches the snapshot with colony_observer:snapshot, and node events are recorded")
    func overTheWire() async throws {
        let pair = try await NodePair("observe")
        defer { Task { await pair.stop() } }
        #expect(await pair.a.connect(to: pair.b.name) == .connected)
        let result = ResultBox<Term>()
        pair.a.spawn { process in
            result.set(try await process.rpc(pair.b.name, Node.observerModule, "snapshot", [2], timeout: .seconds(5)))
        }
        let term = try #require(await result.wait(timeout: .seconds(10)))
        let snapshot = try TermDecoder().decode(NodeSnapshot.self, from: term)
        #expect(snapshot.name == pair.b.name.name)
        #expect(snapshot.connections.map(\.name) == [pair.a.name.name])
        #expect(snapshot.topProcesses.count == 2)
        #expect(snapshot.events.contains { $0.kind == .nodeUp && $0.subject == pair.a.name.name })

        let bad = ResultBox<String>()
        pair.a.spawn { process in
            do {
                _ = try await process.rpc(pair.b.name, Node.observerModule, "snapshot", ["lots"], timeout: .seconds(5))
                bad.set("answered")
            } catch {
                bad.set("\(error)")
            }
        }
        #expect(await bad.wait(timeout: .seconds(10))?.contains("badarg") == true)

        await pair.a.disconnect(pair.b.name)
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, !pair.b.recentEvents().contains(where: { $0.kind == .nodeDown }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(pair.b.recentEvents().contains { $0.kind == .nodeDown && $0.subject == pair.a.name.name })
    }

    @Test("the event log keeps the newest events up to its capacity")
    func eventLogBound() {
        let log = NodeEventLog(node: "n@h", capacity: 3)
        for index in 0..<5 { log.record(.restart, subject: "s", detail: "\(index)") }
        #expect(log.recent(10).map(\.detail) == ["2", "3", "4"])
        #expect(log.recent(2).map(\.detail) == ["3", "4"])
    }
}
