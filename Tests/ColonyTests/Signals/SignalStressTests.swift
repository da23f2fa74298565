import Colony
import ErlangTerm
import Testing

/// The signal guarantees over real connections that are cut again and again: Colony to Colony,
/// and Colony to a real Erlang node.
@Suite("Signal stress: cut connections", .serialized)
struct SignalStressTests {
    @Test("Colony to Colony: disconnects both ways, then the peer stops", .timeLimit(.minutes(2)))
    func colonyToColony() async throws {
        try await InteropScope.run("signal-stress-colony") { scope in
            let epmdPort = try await scope.startEPMD(.colony)
            let a = try await scope.startNode(name: "stress_a@127.0.0.1", cookie: "stress", epmdPort: epmdPort)
            let b = try await scope.startNode(name: "stress_b@127.0.0.1", cookie: "stress", epmdPort: epmdPort)
            let echo = b.spawnPlainEcho()
            let peer = StressPeer(
                name: b.name,
                spawnTarget: { _ in b.spawnExitTarget() },
                echo: echo,
                disconnect: { _ in await b.disconnect(a.name) })
            let reports = try await SignalStress.run(on: a, peer: peer, seed: 42) { await b.stop() }
            Self.check(reports)
        }
    }

    @Test("Colony to erl: disconnect_node from both sides, then kill -9 of erl", .timeLimit(.minutes(2)))
    func colonyToErlang() async throws {
        try await InteropScope.run("signal-stress-erl") { scope in
            let cookie = "stress_erl"
            let epmdPort = try await scope.startEPMD(.otp)
            let node = try await scope.startNode(name: "stress_c@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
            let erl: Atom = "stress_erl@127.0.0.1"
            let agent = try await scope.startAgent(
                name: erl.name, cookie: cookie, epmdPort: epmdPort, colony: node.name.name)
            let echo = try await node.runProcess { try await $0.driverPID(erl, "plain_echo") }
            let colony = node.name
            let peer = StressPeer(
                name: erl,
                spawnTarget: { process in
                    // A cut can lose the command or its reply: ask again (bounded).
                    for _ in 0..<10 {
                        if case .pid(let pid)? = try? await process.callDriver(
                            erl, .tuple(["spawn_target", "none"]), timeout: .seconds(1))
                        {
                            return pid
                        }
                    }
                    throw InteropFailure("no target from \(erl)")
                },
                echo: echo,
                disconnect: {
                    _ = try? await $0.callDriver(erl, .tuple(["disconnect", .atom(colony)]), timeout: .seconds(1))
                })
            let reports = try await SignalStress.run(on: node, peer: peer, seed: 7) { agent.kill() }
            Self.check(reports)
        }
    }

    static func check(_ reports: [HolderReport]) {
        for (index, report) in reports.enumerated() {
            #expect(report.violations.isEmpty, "holder \(index): \(report.violations.prefix(5))")
        }
        let monitors = reports.map(\.monitorsMade).reduce(0, +)
        let links = reports.map { $0.linksMade.values.reduce(0, +) }.reduce(0, +)
        let noconnections = reports.map(\.noconnections).reduce(0, +)
        let echoes = reports.map(\.echoes).reduce(0, +)
        // The run did what it claims: many monitors and links, broken by the cuts too, and echoes.
        // (How many echoes come back depends on how many exchanges the cuts fall across: under a
        // loaded machine most do, so only a few are required; their order is checked above.)
        #expect(
            monitors > 100 && links > 50 && noconnections > 10 && echoes > 5,
            "monitors \(monitors), links \(links), noconnection \(noconnections), echoes \(echoes)")
    }
}
