import ErlangTerm
import PropertyBased
import Testing

@testable import Colony

/// Random interleavings of sends, links, unlinks, monitors, demonitors, process ends, deliveries,
/// connection drops and reconnects over the pure signal model (``SignalWorld``): once the wire is
/// quiet, every guarantee of Erlang's signal semantics must hold.
@Suite("Signal model: property tests")
struct SignalModelPropertyTests {
    static let seeds = Gen.int(in: 0...Int.max)
    static let sizes = Gen.int(in: 1...3)

    @Test("per-pair order, one DOWN per monitor, one exit per broken link, symmetric links, over random schedules")
    func randomSchedules() async {
        await propertyCheck(count: 800, input: Self.seeds, Self.sizes) { seed, size in
            var world = SignalWorld(seed: UInt64(seed), processesPerNode: size)
            world.run(operations: 400)
            world.quiesce()
            let violations = world.violations()
            #expect(violations.isEmpty, "seed \(seed): \(violations.prefix(5))")
        }
    }

    @Test("a connection lost mid-schedule breaks every link and monitor made over it, and none made later")
    func dropsAndReconnects() async {
        await propertyCheck(count: 200, input: Self.seeds) { seed in
            var world = SignalWorld(seed: UInt64(seed), processesPerNode: 2)
            world.run(operations: 100)
            world.drop()
            world.reconnect()
            world.run(operations: 100)
            world.quiesce()
            let violations = world.violations()
            #expect(violations.isEmpty, "seed \(seed): \(violations.prefix(5))")
        }
    }

    @Test("the invariants catch a lost DOWN: a model that forgets monitors on connection loss fails them")
    func invariantsCanFail() {
        var world = SignalWorld(seed: 1, processesPerNode: 1)
        let (a, b) = (world.pids[0], world.pids[1])
        world.monitor(a, b)
        world.quiesce()
        // Lose the connection without telling the holder, as a runtime with the old fault would.
        world.connection = nil
        #expect(!world.violations().isEmpty)
    }
}
