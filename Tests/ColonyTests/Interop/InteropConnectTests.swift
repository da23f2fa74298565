import Colony
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// Erlang connects to Colony and Colony to Erlang; `net_adm:ping` answers pong both ways. Once with
/// an in-process Colony node, once with `colony node` OS processes.
@Suite("Interop: connecting to Erlang and pinging")
struct InteropConnectTests {
    @Test("an in-process node and erl connect to each other and ping pong both ways", .timeLimit(.minutes(1)))
    func inProcessNode() async throws {
        try await InteropScope.run("connect") { scope in
            let cookie = "interop_connect"
            let epmdPort = try await scope.startEPMD(.colony)
            let node = try await scope.startNode(name: "colony_conn@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
            let events = InteropNodeEvents(node)
            let erlName: Atom = "erl_conn@127.0.0.1"

            // Erlang connects: net_adm:ping from erl is the first contact.
            let erl = try await scope.startAgent(
                name: erlName.name, cookie: cookie, epmdPort: epmdPort, action: "ping", colony: node.name.name)
            let ping = await InteropScope.waitForLine(erl, prefix: "RESULT startup_ping", timeout: .seconds(20))
            #expect(ping == "RESULT startup_ping pong", "\(InteropScope.describe(erl))")
            #expect(await events.wait(for: InteropNodeEvents.isUp(erlName), timeout: .seconds(10)) != nil)
            #expect(node.nodes().contains(erlName), "Colony's nodes(): \(node.nodes())")
            #expect(await erl.waitForOutput("EVENT nodeup 'colony_conn@127.0.0.1'", timeout: .seconds(10)))
            // Colony pings over the connection Erlang made.
            #expect(await node.ping(erlName))
            let erlangNodes = try await node.runProcess { try await $0.callDriver(erlName, "nodes") }
            #expect(erlangNodes == .list([.atom(node.name)]), "erl's nodes(): \(erlangNodes)")

            // Colony connects: drop the connection, then Colony pings first.
            #expect(await node.disconnect(erlName))
            #expect(await events.wait(for: InteropNodeEvents.isDown(erlName), timeout: .seconds(10)) != nil)
            #expect(
                await erl.waitForOutput(
                    "EVENT nodedown 'colony_conn@127.0.0.1' connection_closed", timeout: .seconds(10)),
                "\(InteropScope.describe(erl))")
            #expect(!node.nodes().contains(erlName))
            #expect(await node.ping(erlName), "Colony's ping of \(erlName) after the disconnect")
            #expect(
                await events.wait(for: InteropNodeEvents.isUp(erlName), occurrence: 2, timeout: .seconds(10)) != nil)
            // And Erlang pings back over the connection Colony made.
            let pong = try await node.runProcess {
                try await $0.callDriver(erlName, .tuple(["ping", .atom($0.node.name)]))
            }
            #expect(pong == "pong")
            #expect(InteropScope.lines(erl, prefix: "EVENT nodeup").count == 2, "\(InteropScope.describe(erl))")
        }
    }

    @Test("colony node OS processes and erl connect to each other and ping pong both ways", .timeLimit(.minutes(1)))
    func colonyProcess() async throws {
        try await InteropScope.run("connect-os") { scope in
            let cookie = "interop_connect_os"
            let epmdPort = try await scope.startEPMD(.otp)
            let colonyName = "colony_os@127.0.0.1"

            // Colony connects: `colony node --connect erl_os@127.0.0.1`; erl then pings it.
            let erl = try await scope.startAgent(
                name: "erl_os@127.0.0.1", cookie: cookie, epmdPort: epmdPort, action: "await_ping", colony: colonyName)
            let colony = try await scope.startColonyProcess(
                name: colonyName, cookie: cookie, epmdPort: epmdPort, extra: ["--connect", "erl_os@127.0.0.1"])
            #expect(
                await colony.waitForOutput("connect erl_os@127.0.0.1: connected", timeout: .seconds(20)),
                "\(InteropScope.describe(colony))")
            #expect(await colony.waitForOutput("nodeup 'erl_os@127.0.0.1'", timeout: .seconds(10)))
            let awaitPing = await InteropScope.waitForLine(erl, prefix: "RESULT await_ping", timeout: .seconds(20))
            #expect(awaitPing == "RESULT await_ping pong", "\(InteropScope.describe(erl))")
            #expect(await erl.waitForOutput("EVENT nodeup 'colony_os@127.0.0.1'", timeout: .seconds(5)))

            // Erlang connects: a second erl pings the running Colony process first.
            let erl2 = try await scope.startAgent(
                name: "erl_os2@127.0.0.1", cookie: cookie, epmdPort: epmdPort, action: "ping", colony: colonyName)
            // Meanwhile `colony ping` (a Colony node of its own, Node.ping) pings the first erl.
            let pinger = ExternalProcess(
                executable: try ColonyBinary.url,
                arguments: [
                    "ping", "erl_os@127.0.0.1", "--name", "colony_pinger@127.0.0.1", "--cookie", cookie,
                    "--epmd-port", String(epmdPort), "--listen", "127.0.0.1",
                ])
            scope.adopt(pinger)
            try pinger.start()
            let pingerStatus = await pinger.wait(timeout: .seconds(30))
            #expect(pingerStatus == 0, "colony ping: \(InteropScope.describe(pinger))")
            #expect(pinger.standardOutput.contains("pong"), "\(InteropScope.describe(pinger))")

            let ping2 = await InteropScope.waitForLine(erl2, prefix: "RESULT startup_ping", timeout: .seconds(20))
            #expect(ping2 == "RESULT startup_ping pong", "\(InteropScope.describe(erl2))")
            #expect(
                await colony.waitForOutput("nodeup 'erl_os2@127.0.0.1'", timeout: .seconds(10)),
                "\(InteropScope.describe(colony))")
        }
    }
}
