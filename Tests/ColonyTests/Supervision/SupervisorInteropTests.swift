import Colony
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// An Erlang node drives a Colony supervisor with OTP's own `supervisor` module: the calls and
/// replies are OTP's terms, so `supervisor:which_children({Name, Node})` and the rest just work;
/// and the Swift client reads a real OTP supervisor (`kernel_sup`).
@Suite("Interop: OTP's supervisor API against a Colony supervisor")
struct SupervisorInteropTests {
    static let script = """
        C = list_to_atom(os:getenv("COLONY_NODE")),
        T = {colony_sup, C},
        R = fun(K, V) -> io:format("RESULT ~s ~w~n", [K, V]) end,
        try
            R("ping", net_adm:ping(C)),
            R("which", [{Id, is_pid(P) andalso node(P) =:= C, Ty, M} || {Id, P, Ty, M} <- supervisor:which_children(T)]),
            R("count", supervisor:count_children(T)),
            R("terminate", supervisor:terminate_child(T, a)),
            R("stopped", [{Id, P} || {Id, P, _, _} <- supervisor:which_children(T), not is_pid(P)]),
            {ok, P2} = supervisor:restart_child(T, a),
            R("restart", is_pid(P2) andalso node(P2) =:= C),
            R("restart_running", supervisor:restart_child(T, a)),
            R("delete_running", supervisor:delete_child(T, a)),
            R("missing", supervisor:terminate_child(T, nope)),
            {ok, Spec} = supervisor:get_childspec(T, b),
            R("spec", {maps:get(restart, Spec), maps:get(shutdown, Spec), maps:get(type, Spec)}),
            R("done", ok)
        catch Class:Reason -> R("crash", {Class, Reason})
        end,
        register(erl_script, self()),
        R("waiting", ok),
        receive stop -> halt() after 30000 -> halt() end.
        """

    @Test(
        "OTP's supervisor module drives a Colony supervisor; the Swift client reads kernel_sup",
        .timeLimit(.minutes(1)))
    func otpSupervisorModule() async throws {
        try await InteropScope.run("supervisor") { scope in
            let cookie = "interop_supervisor"
            let epmdPort = try await scope.startEPMD(.colony)
            let node = try await scope.startNode(name: "colony_sup@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
            let journal = Journal()
            let pid = try await node.startSupervisor(
                children: [worker("a", journal), worker("b", journal, restart: .transient)], name: .local("colony_sup"))

            var environment = InteropScope.erlEnvironment(epmdPort: epmdPort)
            environment["COLONY_NODE"] = node.name.name
            let erl = ExternalProcess(
                executable: scope.tools.erl,
                arguments: [
                    "-noshell", "-noinput", "-start_epmd", "false", "-name", "erl_sup@127.0.0.1", "-setcookie", cookie,
                    "-kernel", "inet_dist_use_interface", "{127,0,0,1}", "-eval", Self.script,
                ],
                environment: environment, directory: scope.directory)
            try erl.start()
            scope.adopt(erl)

            let done = await InteropScope.waitForLine(erl, prefix: "RESULT done", timeout: .seconds(40))
            #expect(done == "RESULT done ok", "\(InteropScope.describe(erl))")
            let results = InteropScope.lines(erl, prefix: "RESULT").filter { $0 != "RESULT waiting ok" }
            #expect(
                results == [
                    "RESULT ping pong",
                    "RESULT which [{a,true,worker,[]},{b,true,worker,[]}]",
                    "RESULT count [{specs,2},{active,2},{supervisors,0},{workers,2}]",
                    "RESULT terminate ok",
                    "RESULT stopped [{a,undefined}]",
                    "RESULT restart true",
                    "RESULT restart_running {error,running}",
                    "RESULT delete_running {error,running}",
                    "RESULT missing {error,not_found}",
                    "RESULT spec {transient,5000,worker}",
                    "RESULT done ok",
                ], "\(InteropScope.describe(erl))")
            #expect(journal.all == [started("a"), started("b"), terminated("a"), started("a")])
            try await node.stopServer(.pid(pid), reason: "shutdown")

            // The other way round: the Swift client reads a real OTP supervisor.
            let waiting = await InteropScope.waitForLine(erl, prefix: "RESULT waiting", timeout: .seconds(10))
            try #require(waiting != nil, "\(InteropScope.describe(erl))")
            let kernel = SupervisorRef(
                .remote("kernel_sup", node: "erl_sup@127.0.0.1"), on: node, timeout: .seconds(10))
            let children = try await kernel.whichChildren()
            #expect(children.contains { $0.id == "kernel_safe_sup" && $0.type == .supervisor && $0.pid != nil })
            #expect(children.contains { $0.id == "code_server" && $0.type == .worker })
            let counts = try await kernel.countChildren()
            #expect(counts.specs == children.count && counts.supervisors + counts.workers == counts.specs)
            await #expect(throws: SupervisorError.notFound) { try await kernel.terminateChild("no_such_child") }
            await node.send("stop", to: "erl_script", on: "erl_sup@127.0.0.1")
        }
    }
}
