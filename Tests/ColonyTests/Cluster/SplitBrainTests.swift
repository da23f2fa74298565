import ColonyCluster
import ErlangTerm
import Testing

/// The split-brain resolver's decision, exhaustively: every cluster of 1 to 5 members, every split
/// into two sides, every strategy; the two sides' decisions never both keep running, and the
/// strategies that promise a survivor always have exactly one. Then the stable-after window.
@Suite("Cluster: split-brain resolver")
struct SplitBrainTests {
    static func cluster(_ size: Int) -> Set<ResolverMember> {
        Set((0..<size).map { ResolverMember(name: Atom("n\($0)@h"), joined: ($0 * 7) % size) })
    }

    static func strategies(for size: Int) -> [SplitBrainStrategy] {
        [
            .keepMajority, .staticQuorum(size / 2 + 1), .keepOldest(downIfAlone: false),
            .keepOldest(downIfAlone: true), .keepReferee("n0@h", minimum: 1), .keepReferee("n1@h", minimum: 2),
            .downAll,
        ]
    }

    @Test("every split of 1 to 5 members: never two survivors; a survivor where the strategy promises one")
    func exhaustive() {
        for size in 1...5 {
            let members = Self.cluster(size)
            let names = members.map(\.name).sorted { $0.name < $1.name }
            for mask in 1..<(1 << size) - 1 {
                let side = Set(names.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element))
                let other = Set(names).subtracting(side)
                for strategy in Self.strategies(for: size) {
                    let one = strategy.decide(members: members, reachable: side)
                    let two = strategy.decide(members: members, reachable: other)
                    let survivors = [one, two].filter { $0 != .shutDown }.count
                    #expect(survivors <= 1, "\(strategy) size \(size) split \(side) | \(other)")
                    if case .keep(let downing) = one { #expect(downing == other) }
                    switch strategy {
                    case .keepMajority, .keepOldest:
                        #expect(survivors == 1, "\(strategy) size \(size) split \(side) | \(other)")
                    case .staticQuorum(let quorum):
                        #expect(survivors == ((side.count >= quorum || other.count >= quorum) ? 1 : 0))
                    case .keepReferee(let referee, let minimum):
                        let withReferee = side.contains(referee) ? side : other
                        #expect(survivors == (withReferee.count >= minimum ? 1 : 0))
                    case .downAll:
                        #expect(survivors == 0)
                    }
                }
            }
        }
    }

    @Test("what each strategy keeps, on a 5-member cluster split 3 | 2 and 1 | 4")
    func examples() {
        let members = Self.cluster(5)
        let three: Set<Atom> = ["n0@h", "n1@h", "n2@h"]
        let two: Set<Atom> = ["n3@h", "n4@h"]
        #expect(SplitBrainStrategy.keepMajority.decide(members: members, reachable: three) == .keep(downing: two))
        #expect(SplitBrainStrategy.keepMajority.decide(members: members, reachable: two) == .shutDown)
        // n0 joined first (joined 0): keep-oldest keeps its side, unless it is alone and asked to go.
        #expect(
            SplitBrainStrategy.keepOldest(downIfAlone: true).decide(members: members, reachable: ["n0@h"]) == .shutDown)
        let rest: Set<Atom> = ["n1@h", "n2@h", "n3@h", "n4@h"]
        #expect(
            SplitBrainStrategy.keepOldest(downIfAlone: true).decide(members: members, reachable: rest)
                == .keep(downing: ["n0@h"]))
        #expect(
            SplitBrainStrategy.keepOldest(downIfAlone: false).decide(members: members, reachable: rest) == .shutDown)
        #expect(SplitBrainStrategy.staticQuorum(3).decide(members: members, reachable: two) == .shutDown)
        // Nothing unreachable: nothing to do.
        #expect(SplitBrainStrategy.downAll.decide(members: members, reachable: three.union(two)) == .keep(downing: []))
    }

    @Test("the resolver decides once the view has been stable for the window, and once per view")
    func stableAfter() {
        // Sparse calls here stand for a node that runs all along: no gap is a pause.
        var resolver = SplitBrainResolverState(strategy: .keepMajority, stableAfter: .seconds(5), pauseThreshold: nil)
        let members = Self.cluster(3)
        resolver.view(members: members, reachable: ["n0@h", "n1@h", "n2@h"], at: .zero)
        #expect(resolver.tick(at: .seconds(10)) == nil, "no partition")
        resolver.view(members: members, reachable: ["n0@h", "n1@h"], at: .seconds(10))
        #expect(resolver.tick(at: .seconds(14)) == nil)
        // The view flaps: the window starts again.
        resolver.view(members: members, reachable: ["n0@h"], at: .seconds(14))
        resolver.view(members: members, reachable: ["n0@h", "n1@h"], at: .seconds(16))
        #expect(resolver.tick(at: .seconds(20)) == nil)
        #expect(resolver.tick(at: .seconds(21)) == .keep(downing: ["n2@h"]))
        #expect(resolver.tick(at: .seconds(30)) == nil, "decided once for this view")
    }

    /// The demo's partition scenario once downed a healthy member: the frozen node (SIGSTOP) had
    /// seen that member unreachable just before it stopped, and when it ran again 7 s later its
    /// resolver found the stale view "stable" for longer than the window and decided at once.
    @Test("after a pause (a gap between calls), the view must be stable for the window again")
    func pauseRestartsTheWindow() {
        var resolver = SplitBrainResolverState(strategy: .keepMajority, stableAfter: .seconds(5))
        let members = Self.cluster(5)
        let four: Set<Atom> = ["n0@h", "n1@h", "n2@h", "n3@h"]
        var now = Duration.zero
        func run(until end: Duration) -> SplitBrainDecision? {
            while now < end {
                now += .milliseconds(250)
                resolver.view(members: members, reachable: four, at: now)
                if let decision = resolver.tick(at: now) { return decision }
            }
            return nil
        }
        #expect(run(until: .seconds(1)) == nil)
        // Stopped for 7 s; running again, the same view is not stable yet.
        now += .seconds(7)
        resolver.view(members: members, reachable: four, at: now)
        #expect(resolver.tick(at: now) == nil)
        let resumedAt = now
        // Unchanged for the whole window after it runs again, it decides.
        let decision = run(until: resumedAt + .seconds(6))
        #expect(decision == .keep(downing: ["n4@h"]))
        #expect(now - resumedAt >= .seconds(5))
    }
}
