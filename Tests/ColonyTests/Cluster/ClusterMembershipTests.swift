import Colony
import ColonyCluster
import ColonyTestSupport
import ErlangTerm
import Foundation
import ServiceLifecycle
import Synchronization
import Testing

/// The membership view and the split-brain resolver on running nodes, with a real `erl` as a
/// member: it is probed through its `net_kernel`, frozen with SIGSTOP (always let go again before
/// it is killed), found unreachable long before the tick would notice, and up again once let go.
@Suite("Cluster: membership and resolver on running nodes", .serialized)
struct ClusterMembershipTests {
    static var fast: MembershipSettings {
        var settings = MembershipSettings()
        settings.probeInterval = .milliseconds(100)
        settings.probeTimeout = .milliseconds(50)
        settings.suspicionTimeout = .milliseconds(400)
        return settings
    }

    /// Waits (bounded) until `condition` holds; whether it did.
    static func eventually(_ seconds: Int, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    /// Three Colony nodes and an `erl`, all connected, each Colony node running `services(node)`.
    static func cluster(
        _ scope: InteropScope, _ label: String, count: Int = 3
    ) async throws -> (nodes: [Node], erl: ExternalProcess, erlName: Atom) {
        let cookie = "membership_\(label)"
        let epmdPort = try await scope.startEPMD(.colony)
        var nodes: [Node] = []
        for index in 1...count {
            nodes.append(
                try await scope.startNode(name: "m\(label)\(index)@127.0.0.1", cookie: cookie, epmdPort: epmdPort))
        }
        let erlName = Atom("erl_\(label)@127.0.0.1")
        let erl = try await scope.startAgent(
            name: erlName.name, cookie: cookie, epmdPort: epmdPort, action: "ping", colony: nodes[0].name.name)
        for node in nodes {
            for other in nodes where other.name != node.name { _ = await node.connect(to: other.name) }
            try #require(await node.connect(to: erlName) == .connected)
        }
        return (nodes, erl, erlName)
    }

    @Test("members introduce themselves; a frozen erl is unreachable within seconds, up when let go; goodbyes")
    func view() async throws {
        try await InteropScope.run("membership-view") { scope in
            let (nodes, erl, erlName) = try await Self.cluster(scope, "v")
            let memberships = nodes.map { ClusterMembership(node: $0, settings: Self.fast, seed: 42) }
            let running = memberships.map { membership in Task { try await membership.run() } }
            defer { for task in running { task.cancel() } }
            let everyone = nodes.map(\.name) + [erlName]
            let formed = await Self.eventually(10) {
                memberships.allSatisfy { membership in
                    everyone.allSatisfy { membership.status(of: $0) == .up }
                        && membership.members.filter(\.isColony).count == nodes.count - 1
                }
            }
            try #require(formed, "not formed: \(memberships.map(\.view))")
            #expect(memberships[0].members.first { $0.name == erlName }?.isColony == false)
            let oldest = memberships[0].view.oldest
            #expect(oldest == nodes[0].name.name, "the first started is the oldest: \(String(describing: oldest))")

            erl.signal(SIGSTOP)
            let frozen = ContinuousClock.now
            defer { erl.signal(SIGCONT) }
            let found = await Self.eventually(10) {
                memberships.allSatisfy { $0.status(of: erlName) == .unreachable }
            }
            let elapsed = ContinuousClock.now - frozen
            #expect(found, "\(memberships.map(\.view))")
            // The tick is 60 s: this is the probes' doing.
            #expect(elapsed < .seconds(5), "found after \(elapsed)")
            #expect(nodes.allSatisfy { $0.nodes().contains(erlName) }, "the connection is still open")
            erl.signal(SIGCONT)
            #expect(await Self.eventually(10) { memberships.allSatisfy { $0.status(of: erlName) == .up } })

            let views = await memberships[0].reachability()
            #expect(Set(views.keys) == Set(nodes.map(\.name.name)), "\(views.keys)")
            #expect(views[nodes[1].name.name]?.members.count == 4)

            // A member that stops says goodbye.
            running[2].cancel()
            #expect(await Self.eventually(5) { memberships[0].status(of: nodes[2].name) == .leaving })
        }
    }

    @Test("the resolver: the kept side downs the frozen member; the losing side stops and resumes its singleton work")
    func resolver() async throws {
        try await InteropScope.run("membership-resolver") { scope in
            let (nodes, erl, erlName) = try await Self.cluster(scope, "r", count: 2)
            let memberships = nodes.map { ClusterMembership(node: $0, settings: Self.fast, seed: 7) }
            // Node 1 keeps the majority; node 2 needs all three and loses when erl is frozen.
            let keeper = SplitBrainResolver(
                membership: memberships[0], strategy: .keepMajority, stableAfter: .milliseconds(300), action: .wait)
            let loser = SplitBrainResolver(
                membership: memberships[1], strategy: .staticQuorum(3), stableAfter: .milliseconds(300), action: .wait)
            let log = Mutex<[String]>([])
            loser.addSingletonWork(
                "scheduler", stop: { log.withLock { $0.append("stop") } },
                resume: { log.withLock { $0.append("resume") } })
            let keeperEvents = keeper.events()
            let loserEvents = loser.events()
            let services: [any Service] = memberships + [keeper, loser]
            let running = services.map { service in Task { try await service.run() } }
            defer { for task in running { task.cancel() } }
            let formed = await Self.eventually(10) {
                memberships.allSatisfy { membership in
                    (nodes.map(\.name) + [erlName]).allSatisfy { membership.status(of: $0) == .up }
                }
            }
            try #require(formed)

            erl.signal(SIGSTOP)
            defer { erl.signal(SIGCONT) }
            var keeperIterator = keeperEvents.makeAsyncIterator()
            #expect(await keeperIterator.next() == .kept(downing: [erlName]))
            var loserIterator = loserEvents.makeAsyncIterator()
            #expect(await loserIterator.next() == .lost(.wait))
            #expect(log.withLock { $0 } == ["stop"])
            #expect(loser.isWaiting)
            #expect(await Self.eventually(5) { memberships[0].status(of: erlName) == .down })
            #expect(
                await Self.eventually(5) { !nodes[0].nodes().contains(erlName) },
                "the kept side disconnected the downed member")

            erl.signal(SIGCONT)
            // The partition heals: the nodes connect to erl again (as a discovery topology would;
            // erl's own global may drop a connection to prevent overlapping partitions).
            let reconnecting = Task {
                while !Task.isCancelled {
                    for node in nodes { _ = await node.connect(to: erlName) }
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
            defer { reconnecting.cancel() }
            #expect(await loserIterator.next() == .resumed)
            #expect(log.withLock { $0 } == ["stop", "resume"])
            #expect(!loser.isWaiting)
        }
    }
}
