import ErlangTerm
import Testing

@testable import Colony

/// Interleavings that once broke, or would break a simpler link protocol, replayed step by step
/// on the pure signal model.
@Suite("Signal model: scenarios")
struct SignalModelScenarioTests {
    private func world() -> (SignalWorld, PID, PID) {
        let world = SignalWorld(seed: 7, processesPerNode: 1)
        return (world, world.pids[0], world.pids[1])
    }

    @Test("unlink then link again before the ack: the stale ack leaves the new link alone")
    func relinkBeforeAck() {
        var (world, a, b) = world()
        world.link(a, b)
        world.quiesce()
        world.unlink(a, b)
        world.link(a, b)
        world.quiesce()
        #expect(world.processes[a]!.isLinked(to: b))
        #expect(world.processes[b]!.isLinked(to: a))
        #expect(world.violations().isEmpty, "\(world.violations())")
    }

    @Test("a LINK that crosses this side's UNLINK_ID is ignored: both sides end unlinked")
    func linkCrossesUnlink() {
        var (world, a, b) = world()
        world.link(a, b)
        world.quiesce()
        world.unlink(a, b)  // a: unlinking; UNLINK_ID in flight to b
        world.unlink(b, a)  // b: unlinking too
        world.link(b, a)  // b links again before seeing a's unlink: LINK in flight to a
        world.quiesce()
        #expect(world.violations().isEmpty, "\(world.violations())")
    }

    @Test("an exit that crosses this side's unlink is dropped, and the ack clears the entry")
    func exitCrossesUnlink() {
        var (world, a, b) = world()
        world.link(a, b)
        world.quiesce()
        world.unlink(a, b)
        world.end(b)
        world.quiesce()
        #expect(world.linkExits.isEmpty)
        #expect(world.processes[a]!.links.isEmpty)
        #expect(world.violations().isEmpty, "\(world.violations())")
    }

    @Test("a monitor made over a connection that closes before it is recorded fires noconnection once")
    func monitorOverClosedConnection() {
        var (world, a, b) = world()
        let old = world.connection!
        world.drop()
        world.reconnect()
        // The holder resolved the old connection before the drop and records over it now.
        let reference = Reference(node: a.node, creation: 1, ids: [999, 0, 0])
        world.processes[a]!.hold(reference, HeldMonitor(target: b, name: nil, node: b.node, route: old))
        let r1 = world.routes[a.node]!.attach(a, to: old)
        #expect(!r1, "a closed connection refuses new routes")
        let signals = world.processes[a]!.connectionLost(old)
        #expect(signals.count == 1)
        let r2 = world.processes[a]!.connectionLost(old)
        #expect(r2.isEmpty, "fires once")
    }

    @Test("the old connection's loss leaves a link made over the new one")
    func oldConnectionLossSparesNewLinks() {
        var (world, a, b) = world()
        let old = world.connection!
        world.link(a, b)
        world.quiesce()
        // The new connection is up and a link is made over it before the old one's loss is handled.
        var state = world.processes[a]!
        let r3 = state.unlink(b, id: 1)
        #expect(r3 == old)
        let r4 = state.acceptUnlinkAck(from: b, id: 1, route: old)
        #expect(r4)
        let new = SignalRoute(connection: 42)
        let r5 = state.link(b, route: new)
        #expect(r5 == .linked)
        let r6 = state.connectionLost(old)
        #expect(r6.isEmpty)
        #expect(state.isLinked(to: b))
        let r7 = state.connectionLost(new)
        #expect(r7.count == 1)
    }

    @Test("signals over one route do not act on links and monitors of another")
    func signalsStayOnTheirRoute() {
        var state = ProcessSignals()
        let other = PID(node: "b@sim", id: 1, serial: 0, creation: 1)
        let (old, new) = (SignalRoute(connection: 1), SignalRoute(connection: 2))
        let r8 = state.link(other, route: new)
        #expect(r8 == .linked)
        let r9 = state.acceptLinkedExit(from: other, route: old)
        #expect(!r9)
        let r10 = state.acceptUnlink(from: other, route: old)
        #expect(!r10)
        let reference = Reference(node: "a@sim", creation: 1, ids: [1, 0, 0])
        state.hold(reference, HeldMonitor(target: other, name: nil, node: "b@sim", route: new))
        let r11 = state.acceptDown(reference, route: old)
        #expect(r11 == nil)
        let r12 = state.acceptDown(reference, route: new)
        #expect(r12 != nil)
        let r13 = state.acceptDown(reference, route: new)
        #expect(r13 == nil, "one DOWN per monitor")
    }

    @Test("an ended process refuses links and monitors, and ends once")
    func endedRefuses() {
        var state = ProcessSignals()
        let other = PID(node: "b@sim", id: 1, serial: 0, creation: 1)
        let r14 = state.terminate(reason: "normal")
        #expect(r14 != nil)
        let r15 = state.terminate(reason: "normal")
        #expect(r15 == nil)
        let r16 = state.link(other, route: .local)
        #expect(r16 == .exited)
        let r17 = state.acceptLink(from: other, route: .local)
        #expect(!r17)
        let watcher = Watcher(pid: other, described: "x", route: .local)
        let r18 = state.acceptMonitor(Reference(node: "a@sim", creation: 1, ids: [1, 0, 0]), by: watcher)
        #expect(!r18)
    }
}
