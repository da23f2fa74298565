import ColonyCluster
import ErlangTerm
import Testing

/// The membership protocol as a pure state machine: a simulated network answers (or not) the
/// probes it asks for, on an injected clock.
@Suite("Cluster: membership state machine")
struct MembershipStateTests {
    static let a: Atom = "a@h"
    static let b: Atom = "b@h"
    static let c: Atom = "c@h"
    static let d: Atom = "d@h"

    /// A small simulated cluster seen from `a`: `links` says who answers whom.
    struct Simulation {
        var state: MembershipState
        var now: Duration = .zero
        /// Pairs (prober, target) whose probes are lost.
        var broken: Set<[Atom]> = []
        /// Helpers whose own answers (ack or nack) never arrive.
        var silentHelpers: Set<Atom> = []
        var changes: [MembershipChange] = []
        var probes: [Atom] = []
        /// The highest local health score seen.
        var highestHealth = 0

        init(members: [Atom], settings: MembershipSettings = .init(), seed: UInt64 = 1) {
            state = MembershipState(me: MembershipStateTests.a, started: 0, settings: settings, seed: seed)
            for member in members { _ = state.introduced(member, started: 1, at: .zero) }
        }

        func reaches(_ from: Atom, _ to: Atom) -> Bool { !broken.contains([from, to]) }

        mutating func apply(_ effects: [MembershipState.Effect]) {
            for effect in effects {
                highestHealth = max(highestHealth, state.localHealth)
                switch effect {
                case .probe(let target, let id):
                    probes.append(target)
                    if reaches(MembershipStateTests.a, target) { apply(state.acknowledged(id, at: now)) }
                case .requestProbe(let helper, let target, let id):
                    guard reaches(MembershipStateTests.a, helper), !silentHelpers.contains(helper) else { continue }
                    apply(state.answered(id, reached: reaches(helper, target), at: now))
                case .answer:
                    break
                case .changed(let change):
                    changes.append(change)
                }
            }
        }

        /// Advances the clock in 10 ms steps for `duration`.
        mutating func run(for duration: Duration) {
            let end = now + duration
            while now < end {
                now += .milliseconds(10)
                apply(state.tick(at: now))
                highestHealth = max(highestHealth, state.localHealth)
            }
        }

        func status(_ node: Atom) -> MemberStatus? { state.member(node)?.status }
    }

    static func cut(_ node: Atom, from others: [Atom]) -> Set<[Atom]> {
        Set(others.flatMap { [[$0, node], [node, $0]] })
    }

    @Test("a dead member becomes suspect, then unreachable; helpers' nacks keep local health at 0")
    func deadMember() {
        var simulation = Simulation(members: [Self.b, Self.c, Self.d])
        simulation.broken = Self.cut(Self.b, from: [Self.a, Self.c, Self.d])
        simulation.run(for: .seconds(10))
        #expect(simulation.status(Self.b) == .unreachable)
        #expect(simulation.status(Self.c) == .up && simulation.status(Self.d) == .up)
        #expect(simulation.highestHealth == 0)
        let path = simulation.changes.filter { $0.name == Self.b }.map(\.to)
        #expect(path == [.suspect, .unreachable])
    }

    @Test("one bad link does not make a member suspect while another member reaches it")
    func badLink() {
        var simulation = Simulation(members: [Self.b, Self.c])
        simulation.broken = [[Self.a, Self.b]]
        simulation.run(for: .seconds(30))
        #expect(simulation.status(Self.b) == .up)
        #expect(simulation.changes.allSatisfy { $0.to == .up || $0.from == nil })
        #expect(simulation.probes.filter { $0 == Self.b }.count >= 10)
    }

    @Test("with indirect probes off, the same bad link makes it unreachable")
    func badLinkWithoutHelpers() {
        var settings = MembershipSettings()
        settings.indirectProbes = 0
        var simulation = Simulation(members: [Self.b, Self.c], settings: settings)
        simulation.broken = [[Self.a, Self.b]]
        simulation.run(for: .seconds(30))
        #expect(simulation.status(Self.b) == .unreachable)
    }

    @Test("a node cut off from everyone raises its local health and waits longer before suspecting")
    func localHealth() {
        var simulation = Simulation(members: [Self.b, Self.c, Self.d])
        simulation.broken = Self.cut(Self.a, from: [Self.b, Self.c, Self.d])
        simulation.run(for: .seconds(2))
        let early = simulation.state.localHealth
        #expect(early >= 1)
        simulation.run(for: .seconds(60))
        #expect(simulation.state.localHealth == MembershipSettings().maxLocalHealth)
        #expect(simulation.state.multiplier == 9)
        // It still gets there: a real partition is found, only later.
        #expect([Self.b, Self.c, Self.d].allSatisfy { simulation.status($0) == .unreachable })
        // Answers bring it back down.
        simulation.broken = []
        simulation.run(for: .seconds(60))
        #expect(simulation.state.localHealth == 0)
        #expect([Self.b, Self.c, Self.d].allSatisfy { simulation.status($0) == .up })
    }

    @Test("helpers that do not answer at all count against local health; their nacks do not")
    func missedNacks() {
        var simulation = Simulation(members: [Self.b, Self.c])
        simulation.broken = Self.cut(Self.b, from: [Self.a, Self.c])
        simulation.silentHelpers = [Self.c]
        simulation.run(for: .seconds(10))
        #expect(simulation.highestHealth >= 1)
    }

    @Test("a suspect or unreachable member that answers again is up")
    func recovery() {
        var simulation = Simulation(members: [Self.b])
        simulation.broken = Self.cut(Self.b, from: [Self.a])
        simulation.run(for: .seconds(10))
        #expect(simulation.status(Self.b) == .unreachable)
        simulation.broken = []
        simulation.run(for: .seconds(10))
        #expect(simulation.status(Self.b) == .up)
    }

    @Test("a pause here (no ticks for 5 s) suspects nobody: answers read after it count, timers resume")
    func pauseIsNotTheMembersFault() {
        var simulation = Simulation(members: [Self.b, Self.c, Self.d])
        simulation.run(for: .seconds(3))
        // A probe goes out, then this node stops (its answer waits in the socket).
        var state = simulation.state
        var effects: [MembershipState.Effect] = []
        var now = simulation.now
        var probe: (Atom, Int)?
        while probe == nil {
            now += .milliseconds(10)
            effects = state.tick(at: now)
            for case .probe(let target, let id) in effects { probe = (target, id) }
        }
        let (target, id) = probe!
        now += .seconds(5)
        // Running again: the first tick comes before the answer is read.
        effects = state.tick(at: now)
        #expect(!effects.contains { if case .changed = $0 { true } else { false } }, "\(effects)")
        #expect(!effects.contains { if case .requestProbe = $0 { true } else { false } }, "\(effects)")
        #expect(state.acknowledged(id, at: now).isEmpty)
        #expect(state.member(target)?.status == .up)
        #expect(state.localHealth == 0)
    }

    @Test("without pause detection the same silence makes the probed member suspect")
    func pauseDetectionOff() {
        var settings = MembershipSettings()
        settings.pauseThreshold = nil
        var state = MembershipState(me: Self.a, started: 0, settings: settings, seed: 1)
        for member in [Self.b, Self.c, Self.d] { _ = state.introduced(member, started: 1, at: .zero) }
        var now = Duration.zero
        var probed: Atom?
        while probed == nil {
            now += .milliseconds(10)
            for case .probe(let target, _) in state.tick(at: now) { probed = target }
        }
        now += .seconds(5)
        let effects = state.tick(at: now)
        #expect(effects.contains(.changed(MembershipChange(name: probed!, from: .up, to: .suspect))), "\(effects)")
    }

    @Test("connections: lost is unreachable, disconnect on purpose removes, down stays down until it reconnects")
    func connections() {
        var state = MembershipState(me: Self.a, started: 0, seed: 7)
        #expect(state.connected(Self.b, at: .zero) == [.changed(.init(name: Self.b, from: nil, to: .up))])
        #expect(
            state.disconnected(Self.b, reason: "net_tick_timeout", at: .seconds(1))
                == [.changed(.init(name: Self.b, from: .up, to: .unreachable))])
        _ = state.connected(Self.b, at: .seconds(2))
        #expect(state.member(Self.b)?.status == .up)
        // A member back up since the decision is not downed.
        #expect(state.markDown(Self.b, at: .seconds(2)) == [])
        _ = state.disconnected(Self.b, reason: "connection_closed", at: .seconds(3))
        _ = state.markDown(Self.b, at: .seconds(3))
        #expect(state.disconnected(Self.b, reason: "disconnect", at: .seconds(3)) == [])
        #expect(state.member(Self.b)?.status == .down)
        _ = state.connected(Self.b, at: .seconds(4))
        #expect(state.member(Self.b)?.status == .up)
        #expect(
            state.disconnected(Self.b, reason: "disconnect", at: .seconds(5))
                == [.changed(.init(name: Self.b, from: .up, to: nil))])
        _ = state.connected(Self.c, at: .seconds(5))
        _ = state.leaving(Self.c, at: .seconds(6))
        #expect(state.member(Self.c)?.status == .leaving)
        #expect(state.disconnected(Self.c, reason: "connection_closed", at: .seconds(6)).count == 1)
        #expect(state.member(Self.c) == nil)
    }

    @Test("probe requests: probed for the requester, answered on ack, on timeout, or at once for strangers")
    func probeRequests() {
        var state = MembershipState(me: Self.a, started: 0, seed: 3)
        _ = state.connected(Self.b, at: .zero)
        guard case .probe(Self.b, let id)? = state.probeRequested(by: Self.c, target: Self.b, id: 41, at: .zero).first
        else {
            Issue.record("no probe")
            return
        }
        #expect(
            state.acknowledged(id, at: .milliseconds(5)) == [
                .answer(requester: Self.c, target: Self.b, id: 41, reached: true)
            ])
        _ = state.probeRequested(by: Self.c, target: Self.b, id: 42, at: .seconds(1))
        let late = state.tick(at: .seconds(2)).filter { if case .answer = $0 { true } else { false } }
        #expect(late == [.answer(requester: Self.c, target: Self.b, id: 42, reached: false)])
        #expect(
            state.probeRequested(by: Self.c, target: Self.d, id: 43, at: .seconds(2))
                == [.answer(requester: Self.c, target: Self.d, id: 43, reached: false)])
        #expect(
            state.probeRequested(by: Self.c, target: Self.a, id: 44, at: .seconds(2))
                == [.answer(requester: Self.c, target: Self.a, id: 44, reached: true)])
    }

    @Test("every member is probed within two rounds, and the same seed makes the same choices")
    func roundRobin() {
        let members: [Atom] = (1...7).map { Atom("m\($0)@h") }
        var first = Simulation(members: members, seed: 99)
        first.run(for: .seconds(14))
        for member in members { #expect(first.probes.contains(member)) }
        var second = Simulation(members: members, seed: 99)
        second.run(for: .seconds(14))
        #expect(first.probes == second.probes)
        // Within any 2N consecutive probes, every member appears.
        let window = 2 * members.count
        for start in 0...(first.probes.count - window) {
            #expect(Set(first.probes[start..<(start + window)]).count == members.count)
        }
    }

    @Test("the view lists this node and names the oldest member")
    func view() {
        var state = MembershipState(me: Self.a, started: 500, seed: 1)
        _ = state.introduced(Self.b, started: 100, at: .zero)
        _ = state.connected(Self.c, at: .zero)
        let view = state.view
        #expect(view.members.map(\.name) == ["a@h", "b@h", "c@h"])
        #expect(view.oldest == "b@h")
        _ = state.disconnected(Self.b, reason: "net_tick_timeout", at: .seconds(1))
        _ = state.markDown(Self.b, at: .seconds(1))
        #expect(state.view.oldest == "a@h")
        #expect(state.view.names(.down) == ["b@h"])
    }

    @Test("the split-brain resolver does not decide while a member is suspect")
    func resolverWaitsForSuspects() {
        var resolver = SplitBrainResolverState(strategy: .keepMajority, stableAfter: .seconds(1))
        let members = Set(["a@h", "b@h", "c@h"].enumerated().map { ResolverMember(name: Atom($1), joined: $0) })
        resolver.view(members: members, reachable: [Self.a, Self.b], suspects: [Self.b], at: .zero)
        #expect(resolver.tick(at: .seconds(5)) == nil)
        resolver.view(members: members, reachable: [Self.a], suspects: [], at: .seconds(5))
        #expect(resolver.tick(at: .seconds(5.5)) == nil)
        #expect(resolver.tick(at: .seconds(6)) == .shutDown)
    }
}
