import Colony
import ColonyCluster
import ColonyDashboard
import ErlangTerm
import Testing

/// The dashboard's picture of the cluster as a pure state machine: who is up or down and why,
/// what each node runs, the links live nodes report, and the merged, bounded event list.
@Suite("Dashboard: the cluster view")
struct ClusterViewTests {
    static func snapshot(
        _ name: String, at time: Int64 = 1, peers: [String] = [], events: [ObservedEvent] = [], processes: Int = 7
    ) -> NodeSnapshot {
        NodeSnapshot(
            name: name, takenAt: time, processCount: processes,
            connections: peers.map { NodeSnapshot.Peer(name: $0, hidden: false) },
            topProcesses: [ProcessSummary(pid: "<0.9.0>", name: "kv", mailbox: 3, queuedBytes: 120)],
            supervision: [
                SupervisionNode(id: "sup", pid: "<0.8.0>", name: "sup", type: "supervisor", status: "running")
            ],
            events: events)
    }

    static func member(_ model: ClusterModel, _ name: String) throws -> ClusterModel.Member {
        try #require(model.nodes.first { $0.name == name }, "\(name) not in \(model.nodes.map(\.name))")
    }

    @Test("connected nodes are up; one that is no longer connected is down with its nodedown reason")
    func upAndDown() throws {
        var view = ClusterView(observer: "o@h")
        view.observed(Self.snapshot("o@h", peers: ["a@h", "b@h"]), at: 10)
        view.connected(["a@h", "b@h"])
        view.observed(Self.snapshot("a@h", peers: ["o@h", "b@h"]), at: 11)
        var model = view.model(at: 12)
        #expect(model.nodes.map(\.name) == ["a@h", "b@h", "o@h"])
        #expect(try Self.member(model, "a@h").status == "up")
        #expect(try Self.member(model, "a@h").runtime == "colony")
        #expect(try Self.member(model, "a@h").processCount == 7)
        #expect(try Self.member(model, "b@h").runtime == "unknown", "b never answered")

        let down = ObservedEvent(time: 20, kind: .nodeDown, node: "o@h", subject: "b@h", detail: "connection_closed")
        view.observed(Self.snapshot("o@h", at: 20, peers: ["a@h"], events: [down]), at: 20)
        view.connected(["a@h"])
        model = view.model(at: 21)
        let b = try Self.member(model, "b@h")
        #expect(b.status == "down")
        #expect(b.reason == "connection_closed")
        #expect(!model.links.contains { $0.from == "b@h" || $0.to == "b@h" }, "\(model.links)")

        // b comes back.
        view.connected(["a@h", "b@h"])
        #expect(try Self.member(view.model(at: 30), "b@h").status == "up")
        #expect(try Self.member(view.model(at: 30), "b@h").reason == nil)
    }

    @Test("a node's membership view and pg groups ride on its card; a view from an unknown node is ignored")
    func membership() throws {
        var view = ClusterView(observer: "o@h")
        view.observed(Self.snapshot("a@h", peers: ["o@h", "b@h"]), at: 10)
        let entries = [
            MembershipView.Entry(name: "a@h", status: .up, started: 5, colony: true, connected: true),
            MembershipView.Entry(name: "b@h", status: .unreachable, started: 3, colony: true, connected: true),
        ]
        view.observed(MembershipView(node: "a@h", localHealth: 2, members: entries))
        view.observed(MembershipView(node: "z@h", localHealth: 0, members: []))
        let model = view.model(at: 11)
        let a = try Self.member(model, "a@h")
        #expect(a.membership?.members.map(\.status) == [.up, .unreachable])
        #expect(a.membership?.localHealth == 2)
        #expect(a.membership?.oldest == "a@h", "b is unreachable, so a is the oldest member up")
        #expect(!model.nodes.contains { $0.name == "z@h" })
        view.observedGroups([.init(name: "workers", members: ["<a@h.5.0>", "<b@h.9.0>"])], of: "a@h")
        #expect(try Self.member(view.model(at: 12), "a@h").groups?.first?.members.count == 2)
        view.observedGlobalNames(
            [.init(name: "leader", pid: "<b@h.9.0>"), .init(name: "cache", pid: "<a@h.5.0>")], of: "a@h")
        #expect(try Self.member(view.model(at: 13), "a@h").globalNames?.map(\.name) == ["cache", "leader"])
    }

    @Test("a node's store replica (colony_store:status) rides on its card: role, leader, commit index, tables")
    func store() throws {
        var view = ClusterView(observer: "o@h")
        view.observed(Self.snapshot("a@h", peers: ["o@h"]), at: 10)
        let status: Term = .map(
            TermMap([
                (.atom("node"), .atom("a@h")), (.atom("role"), .atom("leader")), (.atom("term"), 3),
                (.atom("leader"), .atom("a@h")), (.atom("commit_index"), 42), (.atom("applied_index"), 41),
                (.atom("voters"), .list([.atom("a@h")])), (.atom("learners"), .list([])),
                (.atom("tables"), .map(TermMap([(.string("cache"), 7)]))),
            ]))
        let replica = try #require(ClusterModel.StoreReplica(status: status))
        #expect(ClusterModel.StoreReplica(status: .atom("undef")) == nil)
        view.observedStore(replica, of: "a@h")
        let store = try #require(try Self.member(view.model(at: 11), "a@h").store)
        #expect(store.role == "leader")
        #expect(store.leader == "a@h")
        #expect(store.commitIndex == 42 && store.appliedIndex == 41 && store.term == 3)
        #expect(store.tables == ["cache": 7])
    }

    @Test("links are the connections live nodes report, each once, in sorted order")
    func links() {
        var view = ClusterView(observer: "o@h")
        view.observed(Self.snapshot("o@h", peers: ["a@h", "b@h"]), at: 1)
        view.connected(["a@h", "b@h"])
        view.observed(Self.snapshot("a@h", peers: ["o@h", "b@h"]), at: 1)
        view.observed(Self.snapshot("b@h", peers: ["a@h", "o@h"]), at: 1)
        let links = view.model(at: 2).links.map { "\($0.from)-\($0.to)" }
        #expect(links == ["a@h-b@h", "a@h-o@h", "b@h-o@h"])
    }

    @Test("an Erlang node shows its runtime, process count and connections")
    func erlang() throws {
        var view = ClusterView(observer: "o@h")
        view.connected(["e@h"])
        view.observedErlang("e@h", processCount: 64, connections: ["o@h"], at: 5)
        let e = try Self.member(view.model(at: 6), "e@h")
        #expect(e.runtime == "erlang")
        #expect(e.processCount == 64)
        #expect(e.lastSeen == 5)
        #expect(view.runtime(of: "e@h") == "erlang")
    }

    @Test("a node that does not answer is unresponsive; a down node stays down")
    func unresponsive() throws {
        var view = ClusterView(observer: "o@h")
        view.connected(["a@h", "b@h"])
        view.unresponsive("a@h", why: "timeout")
        #expect(try Self.member(view.model(at: 1), "a@h").status == "unresponsive")
        #expect(try Self.member(view.model(at: 1), "a@h").reason == "timeout")
        view.connected(["a@h"])
        view.unresponsive("b@h", why: "timeout")
        #expect(try Self.member(view.model(at: 1), "b@h").status == "down")
    }

    @Test("nodes only others report are down until the observer connects, and listed to connect to")
    func reported() throws {
        var view = ClusterView(observer: "o@h")
        view.connected(["a@h"])
        view.observed(Self.snapshot("a@h", peers: ["o@h", "c@h"]), at: 1)
        let c = try Self.member(view.model(at: 2), "c@h")
        #expect(c.status == "down")
        #expect(c.reason == "not connected to o@h")
        #expect(view.unconnected(given: ["a@h"]) == ["c@h"])
        view.connected(["a@h", "c@h"])
        #expect(try Self.member(view.model(at: 3), "c@h").status == "up")
        #expect(view.unconnected(given: ["a@h", "c@h"]).isEmpty)
    }

    @Test("events from every node are merged once each, in time order, and bounded")
    func events() {
        var view = ClusterView(observer: "o@h", eventLimit: 3)
        func event(_ time: Int64, _ node: String) -> ObservedEvent {
            ObservedEvent(time: time, kind: .restart, node: node, subject: "sup", detail: "child w")
        }
        view.observed(Self.snapshot("a@h", events: [event(1, "a@h"), event(4, "a@h")]), at: 5)
        view.observed(Self.snapshot("b@h", events: [event(2, "b@h"), event(3, "b@h")]), at: 5)
        // The same events again, as the next round's snapshot repeats them.
        view.observed(Self.snapshot("a@h", events: [event(1, "a@h"), event(4, "a@h")]), at: 6)
        let times = view.model(at: 7).events.map(\.time)
        #expect(times == [2, 3, 4])
    }
}
