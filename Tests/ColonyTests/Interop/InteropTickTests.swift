import Colony
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A peer that stops answering (`SIGSTOP`) is declared down with `net_tick_timeout` once the tick
/// time has passed: OTP's bound is between 3/4 and 5/4 of `net_ticktime` (3 s to 5 s for 4 s), so
/// the tests accept 2.5 s to 8 s. The stopped process always gets `SIGCONT` before it is killed.
@Suite("Interop: net_tick_timeout")
struct InteropTickTests {
    static let tickTime = 4
    static let earliest: Duration = .milliseconds(2500)
    static let latest: Duration = .seconds(8)

    @Test("Colony (tick time 4 s) sees a SIGSTOPped erl go down with net_tick_timeout", .timeLimit(.minutes(1)))
    func colonySeesStoppedErlang() async throws {
        try await InteropScope.run("tick-colony") { scope in
            let cookie = "interop_tick_c"
            let epmdPort = try await scope.startEPMD(.colony)
            let node = try await scope.startNode(
                name: "colony_tick@127.0.0.1", cookie: cookie, epmdPort: epmdPort, tickTime: .seconds(Self.tickTime))
            let events = InteropNodeEvents(node)
            let erlName: Atom = "erl_tick@127.0.0.1"
            let erl = try await scope.startAgent(
                name: erlName.name, cookie: cookie, epmdPort: epmdPort, action: "ping", colony: node.name.name,
                tickTime: Self.tickTime)
            let ping = await InteropScope.waitForLine(erl, prefix: "RESULT startup_ping", timeout: .seconds(20))
            try #require(ping == "RESULT startup_ping pong", "\(InteropScope.describe(erl))")
            try #require(await events.wait(for: InteropNodeEvents.isUp(erlName), timeout: .seconds(10)) != nil)

            // A tick-time of quiet but live traffic keeps the connection up.
            try await Task.sleep(for: .seconds(Self.tickTime) + .milliseconds(500))
            #expect(node.nodes().contains(erlName), "the connection went down while erl was running")

            erl.signal(SIGSTOP)
            let stopped = ContinuousClock.now
            defer { erl.signal(SIGCONT) }
            let down = await events.wait(for: InteropNodeEvents.isDown(erlName), timeout: Self.latest + .seconds(4))
            erl.signal(SIGCONT)
            let found = try #require(down, "no nodedown for the stopped erl within \(Self.latest + .seconds(4))")
            let elapsed = found.at - stopped
            #expect(found.event == .nodeDown(erlName, hidden: false, reason: "net_tick_timeout"))
            #expect(elapsed >= Self.earliest && elapsed <= Self.latest, "nodedown after \(elapsed)")
        }
    }

    @Test("erl (net_ticktime 4) sees a SIGSTOPped colony node process go down", .timeLimit(.minutes(1)))
    func erlangSeesStoppedColony() async throws {
        try await InteropScope.run("tick-erlang") { scope in
            let cookie = "interop_tick_e"
            let epmdPort = try await scope.startEPMD(.otp)
            let colonyName = "colony_tick2@127.0.0.1"
            let colony = try await scope.startColonyProcess(
                name: colonyName, cookie: cookie, epmdPort: epmdPort, tickTime: Self.tickTime)
            let erl = try await scope.startAgent(
                name: "erl_tick2@127.0.0.1", cookie: cookie, epmdPort: epmdPort, action: "ping", colony: colonyName,
                tickTime: Self.tickTime)
            let ping = await InteropScope.waitForLine(erl, prefix: "RESULT startup_ping", timeout: .seconds(20))
            try #require(ping == "RESULT startup_ping pong", "\(InteropScope.describe(erl))")

            // Both sides tick: a tick time and a half of silence does not bring the connection down.
            try await Task.sleep(for: .seconds(Self.tickTime) + .milliseconds(500))
            #expect(
                InteropScope.lines(erl, prefix: "EVENT nodedown").isEmpty,
                "erl dropped the running colony node: \(InteropScope.describe(erl))")

            colony.signal(SIGSTOP)
            let stopped = ContinuousClock.now
            defer { colony.signal(SIGCONT) }
            let line = await InteropScope.waitForLine(
                erl, prefix: "EVENT nodedown", timeout: Self.latest + .seconds(4))
            let elapsed = ContinuousClock.now - stopped
            colony.signal(SIGCONT)
            #expect(line == "EVENT nodedown '\(colonyName)' net_tick_timeout", "\(InteropScope.describe(erl))")
            #expect(elapsed >= Self.earliest && elapsed <= Self.latest, "nodedown after \(elapsed)")
        }
    }
}
