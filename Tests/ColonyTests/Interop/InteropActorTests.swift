import Colony
import ColonyTestSupport
import Distributed
import ErlangTerm
import Testing

/// Distributed actors and Erlang: an Erlang node calls a Colony actor through its pid with
/// `gen_server:call(Pid, {invoke, Target, Args})`, and a Colony proxy's call reaches an Erlang
/// process as exactly that term.
@Suite("Interop: distributed actors and Erlang")
struct InteropActorTests {
    @Test(
        "gen_server:call(ActorPid, {invoke, Target, Args}) from erl; a Swift call's term on the Erlang side",
        .timeLimit(.minutes(1)))
    func erlangCallsActor() async throws {
        try await InteropScope.run("actor") { scope in
            let epmdPort = try await scope.startEPMD(.colony)
            let node = try await scope.startNode(name: "colony_actor@127.0.0.1", cookie: "actor", epmdPort: epmdPort)
            let erlang: Atom = "erl_actor@127.0.0.1"
            _ = try await scope.startAgent(
                name: erlang.name, cookie: "actor", epmdPort: epmdPort, action: "ping", colony: node.name.name)
            let system = ColonyActorSystem(node: node)
            let greeter = Greeter(actorSystem: system)

            // Swift → an Erlang process that speaks the actor protocol.
            let catcher = try await node.runProcess { try await $0.driverPID(erlang, "capture_call") }
            let proxy = try Greeter.resolve(id: ColonyActorID(pid: catcher), using: system)
            #expect(try await proxy.greet("ignored") == "captured")
            let request = try await node.runProcess {
                try await $0.callDriver(erlang, .tuple(["captured", .pid(catcher)]))
            }
            guard case .tuple(let parts) = request, parts.count == 4, parts[0] == "invoke",
                let target = parts[1].stringValue
            else {
                Issue.record("unexpected request \(request)")
                return
            }
            #expect(parts[2] == .list([.string("ignored")]))

            // Erlang → the Swift actor, with the same target.
            let actor = try #require(greeter.id.pid)
            let reply = try await node.runProcess {
                try await $0.callDriver(
                    erlang,
                    .tuple(["gen_call", .pid(actor), .tuple(["invoke", .string(target), .list([.string("Erlang")])])]))
            }
            #expect(reply == .tuple(["ok", .string("Hello, Erlang!")]))
            let bad = try await node.runProcess {
                try await $0.callDriver(
                    erlang, .tuple(["gen_call", .pid(actor), .tuple(["invoke", .string(target), .list([42])])]))
            }
            guard case .tuple(let error) = bad, error.first == "error" else {
                Issue.record("a wrong argument was accepted: \(bad)")
                return
            }
        }
    }
}
