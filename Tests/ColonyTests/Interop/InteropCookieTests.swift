import Colony
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// A wrong cookie is refused in both directions: Colony's connect fails and its ping gets false,
/// Erlang's `net_adm:ping` gets pang, and neither side counts the other as connected.
@Suite("Interop: wrong cookie")
struct InteropCookieTests {
    @Test("a wrong cookie is refused both ways", .timeLimit(.minutes(1)))
    func wrongCookie() async throws {
        try await InteropScope.run("cookie") { scope in
            let epmdPort = try await scope.startEPMD(.otp)
            let node = try await scope.startNode(
                name: "colony_cookie@127.0.0.1", cookie: "the_right_cookie", epmdPort: epmdPort)
            let events = InteropNodeEvents(node)
            let refuser: Atom = "erl_refuser@127.0.0.1"
            let pinger: Atom = "erl_pinger@127.0.0.1"
            // Both erl nodes boot at once; the pinger pings Colony as soon as it is up.
            let erlRefuser = try scope.startErlang(
                name: refuser.name, cookie: "a_wrong_cookie", epmdPort: epmdPort,
                arguments: ["agent", "none", node.name.name])
            let erlPinger = try scope.startErlang(
                name: pinger.name, cookie: "a_wrong_cookie", epmdPort: epmdPort,
                arguments: ["agent", "ping", node.name.name])

            // Colony -> Erlang.
            try #require(
                await erlRefuser.waitForOutput("READY", timeout: .seconds(30)), "\(InteropScope.describe(erlRefuser))")
            #expect(await node.connect(to: refuser) == .failed)
            #expect(!(await node.ping(refuser)))
            #expect(!node.nodes(.connected).contains(refuser))
            // OTP logs the refusal on the accepting side.
            #expect(
                await erlRefuser.waitForOutput(
                    "Connection attempt from node 'colony_cookie@127.0.0.1' rejected", timeout: .seconds(10)),
                "\(InteropScope.describe(erlRefuser))")

            // Erlang -> Colony.
            let ping = await InteropScope.waitForLine(erlPinger, prefix: "RESULT startup_ping", timeout: .seconds(30))
            #expect(ping == "RESULT startup_ping pang", "\(InteropScope.describe(erlPinger))")
            #expect(!node.nodes(.connected).contains(pinger))
            #expect(InteropScope.lines(erlPinger, prefix: "EVENT nodeup").isEmpty)
            #expect(
                events.all.filter { if case .nodeUp = $0 { return true } else { return false } }.isEmpty,
                "Colony saw \(events.all)")
        }
    }
}
