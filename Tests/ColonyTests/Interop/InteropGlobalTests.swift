import Colony
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// A visible Colony node must not break OTP's `global` on the Erlang side: names register, resolve
/// and unregister there with the Colony node connected, and `global:sync()` completes: Colony
/// answers global's `init_connect` with `in_sync` (see ARCHITECTURE.md).
@Suite("Interop: global on the Erlang side")
struct InteropGlobalTests {
    @Test("global names and global:sync() work with Colony connected", .timeLimit(.minutes(1)))
    func globalNames() async throws {
        try await InteropScope.run("global") { scope in
            let epmdPort = try await scope.startEPMD(.colony)
            let node = try await scope.startNode(name: "colony_global@127.0.0.1", cookie: "global", epmdPort: epmdPort)
            let erl = try await scope.startAgent(
                name: "erl_global@127.0.0.1", cookie: "global", epmdPort: epmdPort, action: "global",
                colony: node.name.name)
            let last = await InteropScope.waitForLine(erl, prefix: "RESULT global_done", timeout: .seconds(30))
            #expect(last == "RESULT global_done true", "\(InteropScope.describe(erl))")
            #expect(InteropScope.lines(erl, prefix: "RESULT global_after") == ["RESULT global_after undefined"])
            #expect(InteropScope.lines(erl, prefix: "RESULT global_sync") == ["RESULT global_sync ok"])
            #expect(InteropScope.lines(erl, prefix: "RESULT global_reregister") == ["RESULT global_reregister yes"])
            #expect(InteropScope.lines(erl, prefix: "RESULT global_ping") == ["RESULT global_ping pong"])
            #expect(InteropScope.lines(erl, prefix: "RESULT global_register") == ["RESULT global_register yes"])
            #expect(InteropScope.lines(erl, prefix: "RESULT global_whereis") == ["RESULT global_whereis true"])
            #expect(InteropScope.lines(erl, prefix: "RESULT global_names") == ["RESULT global_names true"])
            #expect(node.nodes().contains("erl_global@127.0.0.1"))
        }
    }
}
