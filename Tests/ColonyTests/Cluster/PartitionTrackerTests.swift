import ColonyCluster
import ErlangTerm
import Testing

/// Partition events from node events: started on the first unexpected nodedown, healed with its
/// duration when every member cut off is back; deliberate disconnects do not count.
@Suite("Cluster: partition tracker")
struct PartitionTrackerTests {
    @Test("a partition starts, grows, and heals with its duration when every member is back")
    func startAndHeal() {
        var tracker = PartitionTracker()
        _ = tracker.nodeUp("a@h", at: .zero)
        _ = tracker.nodeUp("b@h", at: .zero)
        _ = tracker.nodeUp("c@h", at: .zero)
        #expect(
            tracker.nodeDown("a@h", reason: "net_tick_timeout", at: .seconds(10))
                == [.nodeDown("a@h", reason: "net_tick_timeout"), .partitionStarted(unreachable: ["a@h"])])
        #expect(
            tracker.nodeDown("b@h", reason: "connection_closed", at: .seconds(11)) == [
                .nodeDown("b@h", reason: "connection_closed")
            ])
        #expect(tracker.unreachable == ["a@h", "b@h"])
        #expect(tracker.nodeUp("a@h", at: .seconds(20)) == [.nodeUp("a@h")])
        #expect(tracker.isPartitioned)
        #expect(tracker.nodeUp("b@h", at: .seconds(25)) == [.nodeUp("b@h"), .partitionHealed(duration: .seconds(15))])
        #expect(!tracker.isPartitioned)
    }

    @Test("a deliberate disconnect is no partition; a member forgotten lets the partition heal")
    func disconnectAndForget() {
        var tracker = PartitionTracker()
        _ = tracker.nodeUp("a@h", at: .zero)
        _ = tracker.nodeUp("b@h", at: .zero)
        #expect(
            tracker.nodeDown("a@h", reason: "disconnect", at: .seconds(1)) == [.nodeDown("a@h", reason: "disconnect")])
        #expect(!tracker.isPartitioned)
        _ = tracker.nodeUp("a@h", at: .seconds(1))
        #expect(tracker.nodeDown("a@h", reason: "replaced", at: .seconds(1)) == [.nodeDown("a@h", reason: "replaced")])
        #expect(!tracker.isPartitioned)
        _ = tracker.nodeDown("b@h", reason: "net_tick_timeout", at: .seconds(2))
        #expect(tracker.forget("b@h", at: .seconds(7)) == [.partitionHealed(duration: .seconds(5))])
        #expect(tracker.nodeDown("zz@h", reason: "x", at: .seconds(8)).isEmpty, "never up: nothing")
    }
}
