import ColonyTestSupport
import Foundation
import Testing

@testable import ErlangDistribution

/// Colony's EPMD against real Erlang/OTP: real `erl` nodes and the `epmd` client using Colony's
/// server, and Colony's client using the real `epmd`. Everything runs on private ports on
/// 127.0.0.1; every process the tests start is stopped by its PID, also when a test fails.
///
/// `erl` and `epmd` must be installed (the CI installs `erlang-nox`): without them these tests
/// fail rather than skip.
@Suite("EPMD interop with OTP", .serialized)
struct EPMDInteropTests {
    typealias T = EPMDTestSupport

    let client = EPMDClient(connectTimeout: .seconds(2), replyTimeout: .seconds(5))

    @Test(
        "Real erl nodes register with Colony's EPMD and find each other through it; epmd -names lists them",
        .timeLimit(.minutes(1)))
    func erlNodesUseColonyServer() async throws {
        let tools = try OTPTools.locate()
        let server = try await EPMDServer.start(host: "127.0.0.1", port: 0)
        do {
            try await checkErlNodes(tools: tools, server: server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    private func checkErlNodes(tools: OTPTools, server: EPMDServer) async throws {
        let port = server.port
        let a = tools.erlNode(name: "a", epmdPort: port, eval: nil)
        try a.start()
        defer { a.kill() }
        let aRegistered = await T.eventually(timeout: .seconds(20)) { server.lookup("a") != nil || !a.isRunning }
        try #require(aRegistered && a.isRunning, "a@127.0.0.1 did not register: \(a.standardError)")

        // b pings a, which makes b ask Colony's EPMD for a's port (PORT_PLEASE2), and lists the
        // names as net_adm:names/1 sees them (NAMES, with its check of the EPMD port).
        let b = tools.erlNode(
            name: "b", epmdPort: port,
            eval: """
                io:format("ping=~p~n", [net_adm:ping('a@127.0.0.1')]),
                io:format("names=~p~n", [net_adm:names("127.0.0.1")]),
                io:format("creation=~p~n", [erlang:system_info(creation)]),
                io:format("done~n").
                """)
        try b.start()
        defer { b.kill() }
        let bDone = await b.waitForOutput("done", timeout: .seconds(20))
        try #require(bDone, "b@127.0.0.1 did not finish: \(b.standardOutput) \(b.standardError)")
        let output = b.standardOutput
        #expect(output.contains("ping=pong"), "b's output: \(output)")

        let aInfo = try #require(server.lookup("a"))
        let bInfo = try #require(server.lookup("b"))
        #expect(output.contains("{\"a\",\(aInfo.port)}") && output.contains("{\"b\",\(bInfo.port)}"), "\(output)")
        let bEntry = try #require(server.registeredNodes.first { $0.node.name == "b" })
        #expect(output.contains("creation=\(bEntry.creation)"), "b uses the creation from ALIVE2_X_RESP: \(output)")
        for info in [aInfo, bInfo] {
            #expect(info.nodeType == .normal && info.protocol == 0)
            // OTP 25 registers versions 6 to 5 (erl_dist_protocol.md says 6 to 6 from OTP 25).
            #expect(info.highestVersion == 6 && info.lowestVersion == 5, "\(info)")
        }

        // The real epmd binary as a client of Colony's server.
        let listing = try await ExternalProcess.run(
            tools.epmd, ["-port", String(port), "-names"], environment: OTPTools.environment(epmdPort: port),
            timeout: .seconds(10))
        #expect(listing.succeeded, "epmd -names: \(listing.standardError)")
        #expect(listing.standardOutput.contains("up and running on port \(port)"), "\(listing.standardOutput)")
        #expect(listing.standardOutput.contains("name a at port \(aInfo.port)\n"), "\(listing.standardOutput)")
        #expect(listing.standardOutput.contains("name b at port \(bInfo.port)\n"), "\(listing.standardOutput)")

        // Colony's client agrees.
        let names = try await client.names(port: port)
        #expect(Set(names.map(\.name)) == ["a", "b"])
        #expect(names.first { $0.name == "a" }?.port == Int(aInfo.port))
        #expect(try await client.lookup(name: "a", port: port) == aInfo)
        #expect(try await client.lookup(name: "b", port: port) == bInfo)

        // A node that dies is unregistered when its connection closes.
        a.kill()
        let aGone = await T.eventually(timeout: .seconds(10)) { server.lookup("a") == nil }
        #expect(aGone)
        #expect(try await client.names(port: port).map(\.name) == ["b"])
    }

    @Test(
        "Colony's client registers, looks up and lists with the real epmd, and erl sees its node",
        .timeLimit(.minutes(1)))
    func clientUsesRealEPMD() async throws {
        let tools = try OTPTools.locate()
        let port = Int(try ExternalProcess.freeLoopbackPort())
        let epmd = ExternalProcess(
            executable: tools.epmd, arguments: ["-port", String(port), "-address", "127.0.0.1"],
            environment: OTPTools.environment(epmdPort: port))
        try epmd.start()
        defer { epmd.kill() }
        let listening = await ExternalProcess.waitForListener(port: UInt16(port), timeout: .seconds(5))
        try #require(listening, "epmd did not listen on \(port): \(epmd.standardError)")

        let registration = try await client.register(name: "colony", port: 4567, epmdPort: port)
        #expect(registration.creation != 0)
        let hidden = try await client.register(name: "shadow", port: 4568, hidden: true, extra: [7], epmdPort: port)

        let found = try #require(try await client.lookup(name: "colony", port: port))
        #expect(
            found == EPMDNodeInfo(name: "colony", port: 4567, nodeType: .normal, highestVersion: 6, lowestVersion: 6))
        let shadow = try #require(try await client.lookup(name: "shadow", port: port))
        #expect(shadow.nodeType == .hidden && shadow.port == 4568 && shadow.extra == [7])
        #expect(try await client.lookup(name: "nobody", port: port) == nil)

        let names = try await client.names(port: port)
        #expect(names.contains { $0 == ("colony", 4567) })
        #expect(names.contains { $0 == ("shadow", 4568) })

        await #expect(throws: EPMDError.nameTaken(name: "colony", result: 1)) {
            _ = try await client.register(name: "colony", port: 1, epmdPort: port)
        }

        let erl = tools.erlNode(
            name: nil, epmdPort: port, eval: #"io:format("names=~p~n", [net_adm:names("127.0.0.1")]), halt()."#)
        let outcome = try await erl.run(timeout: .seconds(20))
        #expect(outcome.succeeded, "erl: \(outcome.standardError)")
        #expect(outcome.standardOutput.contains("{\"colony\",4567}"), "\(outcome.standardOutput)")

        let firstCreation = registration.creation
        await registration.close()
        let removed = await T.eventually(timeout: .seconds(5)) {
            (try? await client.lookup(name: "colony", port: port)) == nil
        }
        #expect(removed, "epmd still lists colony after the registration closed")
        #expect(try await client.names(port: port).map(\.name) == ["shadow"])

        let again = try await client.register(name: "colony", port: 4569, epmdPort: port)
        #expect(again.creation != firstCreation, "epmd gives a new registration of a name a new creation")
        await again.close()
        await hidden.close()
    }
}
