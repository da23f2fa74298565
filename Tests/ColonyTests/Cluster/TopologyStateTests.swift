import ColonyCluster
import ErlangTerm
import Testing

/// The formation logic of a topology: connect what is listed, reconnect with backoff and jitter,
/// keep gossip sightings for the expiry, prune only when asked.
@Suite("Cluster: topology state")
struct TopologyStateTests {
    static let me: Atom = "me@h"
    static let a: Atom = "a@h"
    static let b: Atom = "b@h"

    @Test("listed nodes are connected, not this node, and not twice while an attempt is under way")
    func connects() {
        var state = TopologyState(local: Self.me)
        let first = state.sighted(.listed([Self.me, Self.a, Self.b]), at: .zero)
        #expect(first == [.connect(Self.a), .connect(Self.b)])
        #expect(state.tick(at: .seconds(1)).isEmpty, "attempts are under way")
        #expect(state.attempted(Self.a, succeeded: true, at: .seconds(1), random: 0).isEmpty)
        #expect(state.connected([Self.a], at: .seconds(2)).isEmpty)
    }

    @Test("failed attempts back off exponentially with jitter, up to the limit")
    func backoff() {
        var options = TopologyState.Options()
        options.backoffBase = .seconds(1)
        options.backoffLimit = .seconds(8)
        var state = TopologyState(local: Self.me, options: options)
        _ = state.sighted(.listed([Self.a]), at: .zero)
        var now = Duration.zero
        var waits: [Duration] = []
        for failure in 1...6 {
            // random 1: the full backoff; the attempt is due exactly then, not before.
            #expect(state.attempted(Self.a, succeeded: false, at: now, random: 1).isEmpty)
            let wait = min(Duration.seconds(1) * (1 << (failure - 1)), .seconds(8))
            #expect(state.tick(at: now + wait - .milliseconds(1)).isEmpty)
            #expect(state.tick(at: now + wait) == [.connect(Self.a)])
            waits.append(wait)
            now += wait
        }
        #expect(waits == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8), .seconds(8)])
        #expect(state.failures(of: Self.a) == 6)
        // random 0: half the backoff.
        _ = state.attempted(Self.a, succeeded: false, at: now, random: 0)
        #expect(state.tick(at: now + .seconds(4)) == [.connect(Self.a)])
        // Connected (from the other side): the backoff starts over.
        _ = state.attempted(Self.a, succeeded: false, at: now, random: 1)
        _ = state.connected([Self.a], at: now)
        #expect(state.failures(of: Self.a) == 0)
        #expect(state.connected([], at: now) == [.connect(Self.a)], "a dropped node is reconnected at once")
    }

    @Test("a node heard by gossip stays listed for the expiry, then is let go")
    func heardExpiry() {
        var options = TopologyState.Options()
        options.heardExpiry = .seconds(10)
        var state = TopologyState(local: Self.me, options: options)
        #expect(state.sighted(.heard(Self.me), at: .zero).isEmpty)
        #expect(state.sighted(.heard(Self.a), at: .zero) == [.connect(Self.a)])
        _ = state.attempted(Self.a, succeeded: false, at: .seconds(1), random: 0)
        #expect(state.listed(at: .seconds(9)) == [Self.a])
        #expect(state.listed(at: .seconds(11)).isEmpty)
        #expect(state.tick(at: .seconds(30)).isEmpty, "not listed: no more attempts")
        #expect(state.sighted(.heard(Self.a), at: .seconds(31)) == [.connect(Self.a)])
    }

    @Test("a node no longer listed is disconnected only when pruning")
    func pruning() {
        for prunes in [false, true] {
            var options = TopologyState.Options()
            options.prunes = prunes
            var state = TopologyState(local: Self.me, options: options)
            _ = state.sighted(.listed([Self.a, Self.b]), at: .zero)
            _ = state.connected([Self.a, Self.b], at: .seconds(1))
            let out = state.sighted(.listed([Self.a]), at: .seconds(2))
            #expect(out == (prunes ? [.disconnect(Self.b)] : []), "prunes: \(prunes)")
            #expect(state.connected([Self.a], at: .seconds(3)).isEmpty, "b is not reconnected")
        }
    }
}
