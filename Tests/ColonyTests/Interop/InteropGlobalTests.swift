import Colony
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// A visible Colony node must not break OTP's `global` on the Erlang side: names register, resolve
/// and unregister there with the Colony node connected. (`global:sync()` does not complete yet:
/// Colony does not answer global's own protocol; see ARCHITECTURE.md.)
@Suite("Interop: global on the Erlang side")
struct InteropGlobalTests {
    @Test("global:register_name, whereis_name and unregister_name work with Colony connected", .timeLimit(.minutes(1)))
    func globalNames() async throws {
        try await InteropScope.run("global") { scope in
            let epmdPort = try await scope.startEPMD(.colony)
            let node = try await scope.startNode(name: "colony_global@127.0.0.1", cookie: "global", epmdPort: epmdPort)
            let erl = try await scope.startAgent(
                name: "erl_global@127.0.0.1", cookie: "global", epmdPort: epmdPort, action: "global",
                colony: node.name.name)
            let last = await InteropScope.waitForLine(erl, prefix: "RESULT global_after", timeout: .seconds(30))
            #expect(last == "RESULT global_after undefined", "\(InteropScope.describe(erl))")
            #expect(InteropScope.lines(erl, prefix: "RESULT global_ping") == ["RESULT global_ping pong"])
            #expect(InteropScope.lines(erl, prefix: "RESULT global_register") == ["RESULT global_register yes"])
            #expect(InteropScope.lines(erl, prefix: "RESULT global_whereis") == ["RESULT global_whereis true"])
            #expect(InteropScope.lines(erl, prefix: "RESULT global_names") == ["RESULT global_names true"])
            #expect(node.nodes().contains("erl_global@127.0.0.1"))
        }
    }
}
