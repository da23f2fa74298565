import Colony
import ColonyTLS
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// Colony and OTP 25 nodes over TLS (`-proto_dist inet_tls`): one cluster when the certificates
/// come from the same CA, and refusals, by both kinds of node, of the ones that must not join.
@Suite("TLS: interop with OTP's inet_tls")
struct TLSInteropTests {
    @Test(
        "erl over inet_tls and Colony form one cluster: ping, messages, links, calls and rpc both ways",
        .timeLimit(.minutes(2)), arguments: [[TLSProtocolVersion.v1_2], [.v1_2, .v1_3]])
    func cluster(_ erlangVersions: [TLSProtocolVersion]) async throws {
        let fixture = try TLSFixture()
        try await InteropScope.run("tls-interop") { scope in
            let cookie = "tls_interop"
            let epmdPort = try await scope.startEPMD(.otp)
            let node = try await scope.startNode(
                name: "colony_tls@127.0.0.1", cookie: cookie, epmdPort: epmdPort,
                transport: TLSTransport(settings: fixture.settings(.good, hostCheck: .all)))
            _ = try await node.startServer(KeyValueServer(), name: .local("kv"))
            let erl: Atom = "erl_tls@127.0.0.1"
            // Erlang dials first.
            let agent = try await scope.startAgent(
                name: erl.name, cookie: cookie, epmdPort: epmdPort, action: "ping", colony: node.name.name,
                extraFlags: fixture.erlangFlags(.good, versions: erlangVersions))
            let ping = await InteropScope.waitForLine(agent, prefix: "RESULT startup_ping", timeout: .seconds(20))
            #expect(ping == "RESULT startup_ping pong", "\(InteropScope.describe(agent))")
            let expected = erlangVersions.contains(.v1_3) ? "tls TLSv1.3" : "tls TLSv1.2"
            let transport = await node.snapshot().connections.first { $0.name == erl.name }?.transport
            #expect(transport?.hasPrefix(expected) == true, "\(String(describing: transport))")

            try await Self.exercise(node, erl)

            // Colony dials: drop the connection, then Colony connects and works again.
            #expect(await node.disconnect(erl))
            #expect(await node.ping(erl), "Colony dials erl over TLS: \(InteropScope.describe(agent))")
            try await Self.exercise(node, erl)
        }
    }

    /// Messages, a link, calls and rpc in both directions between `node` and the agent on `erl`.
    static func exercise(_ node: Node, _ erl: Atom) async throws {
        let colony = node.name
        let results = try await node.runProcess { process -> [String: Term] in
            var results: [String: Term] = [:]
            // A message to an Erlang process and its answer.
            let echo = try await process.driverPID(erl, "plain_echo")
            await process.send(
                .tuple([.pid(process.pid), .tuple(["hello", .binary(Array(repeating: 7, count: 70_000))])]), to: echo)
            results["echo"] = try await process.firstMessage(within: .seconds(10)) {
                if case .tuple(let t) = $0, t.first == "hello" { return true }
                return false
            }
            // A link to an Erlang process that exits.
            process.trapExit = true
            let target = try await process.driverPID(erl, .tuple(["spawn_target", "none"]))
            await process.link(target)
            await process.send(.tuple(["exit_with", "tls_bye"]), to: target)
            results["exit"] = try await process.firstMessage(within: .seconds(10)) {
                if case .tuple(let t) = $0, t.first == "EXIT" { return true }
                return false
            }
            // Colony calls an Erlang gen_server (a supervisor) and runs rpc on erl.
            results["which_children"] = try await process.call(.remote("kernel_safe_sup", node: erl), "which_children")
            results["rpc_to_erl"] = try await process.rpc(erl, "erlang", "node", [], timeout: .seconds(5))
            // Erlang calls Colony's kv and runs rpc on Colony.
            results["erl_put"] = try await process.callDriver(
                erl, .tuple(["gen_call", .tuple(["kv", .atom(colony)]), .tuple(["put", "tls", "yes"])]))
            results["erl_get"] = try await process.callDriver(
                erl, .tuple(["gen_call", .tuple(["kv", .atom(colony)]), .tuple(["get", "tls"])]))
            results["rpc_to_colony"] = try await process.callDriver(
                erl, .tuple(["rpc", .atom(colony), "erlang", "node", .list([])]))
            return results
        }
        if case .tuple(let t) = results["echo"] {
            #expect(
                t.count == 2 && t[1] == .binary(Array(repeating: 7, count: 70_000)), "a 70 KB binary crossed intact")
        } else {
            Issue.record("no echo: \(String(describing: results["echo"]))")
        }
        if case .tuple(let t) = results["exit"] { #expect(t.last == "tls_bye") } else { Issue.record("no EXIT") }
        if case .list = results["which_children"] {
        } else {
            Issue.record("which_children: \(String(describing: results["which_children"]))")
        }
        #expect(results["rpc_to_erl"] == .atom(erl))
        #expect(results["erl_put"] == "ok")
        #expect(results["erl_get"] == "yes")
        #expect(results["rpc_to_colony"] == .atom(colony))
    }

    @Test(
        "a self-signed, another CA's or an expired certificate is refused by Colony and by erl",
        .timeLimit(.minutes(2)), arguments: [TLSFixture.Identity.selfSigned, .otherCA, .expired])
    func refusals(_ identity: TLSFixture.Identity) async throws {
        let fixture = try TLSFixture()
        try await InteropScope.run("tls-refuse") { scope in
            let cookie = "tls_refuse"
            let epmdPort = try await scope.startEPMD(.otp)
            let good = try await scope.startNode(
                name: "colony_good@127.0.0.1", cookie: cookie, epmdPort: epmdPort,
                transport: TLSTransport(settings: fixture.settings(.good)))
            let bad = try await scope.startNode(
                name: "colony_bad@127.0.0.1", cookie: cookie, epmdPort: epmdPort,
                transport: TLSTransport(settings: fixture.settings(identity)))
            // erl with the bad certificate dials the good Colony node: Colony refuses it.
            let badErl = try await scope.startAgent(
                name: "erl_bad@127.0.0.1", cookie: cookie, epmdPort: epmdPort, action: "ping",
                colony: good.name.name, extraFlags: fixture.erlangFlags(identity))
            let ping = await InteropScope.waitForLine(badErl, prefix: "RESULT startup_ping", timeout: .seconds(30))
            #expect(ping == "RESULT startup_ping pang", "\(InteropScope.describe(badErl))")
            // Colony with the bad certificate dials a good erl: erl refuses it.
            let goodErl: Atom = "erl_good@127.0.0.1"
            _ = try await scope.startAgent(
                name: goodErl.name, cookie: cookie, epmdPort: epmdPort, colony: good.name.name,
                extraFlags: fixture.erlangFlags(.good))
            #expect(await bad.ping(goodErl) == false)
            // The good Colony node dials the bad erl: Colony refuses erl's server certificate.
            #expect(await good.ping("erl_bad@127.0.0.1") == false)
            // And the good ones do connect: the refusals are about the certificates.
            #expect(await good.ping(goodErl))
            #expect(!good.nodes().contains("erl_bad@127.0.0.1") && bad.nodes().isEmpty)
        }
    }

    @Test(
        "host names: erl and Colony each refuse a node they dial whose certificate names another host",
        .timeLimit(.minutes(2)))
    func dialledHostNames() async throws {
        let fixture = try TLSFixture()
        try await InteropScope.run("tls-host") { scope in
            let cookie = "tls_host"
            let epmdPort = try await scope.startEPMD(.otp)
            // A Colony node whose certificate names other.example only, and that checks no one.
            let wrong = try await scope.startNode(
                name: "colony_wrong@127.0.0.1", cookie: cookie, epmdPort: epmdPort,
                transport: TLSTransport(settings: fixture.settings(.wrongHost, hostCheck: .none)))
            let good = try await scope.startNode(
                name: "colony_right@127.0.0.1", cookie: cookie, epmdPort: epmdPort,
                transport: TLSTransport(settings: fixture.settings(.good)))
            // erl dials it: OTP checks the server's certificate against the host it dials.
            let erl = try await scope.startAgent(
                name: "erl_host@127.0.0.1", cookie: cookie, epmdPort: epmdPort, action: "ping",
                colony: wrong.name.name, extraFlags: fixture.erlangFlags(.good))
            let ping = await InteropScope.waitForLine(erl, prefix: "RESULT startup_ping", timeout: .seconds(30))
            #expect(ping == "RESULT startup_ping pang", "\(InteropScope.describe(erl))")
            // It dials erl: erl does not check who dials it, so this one connects.
            #expect(await wrong.ping("erl_host@127.0.0.1"), "the control: erl takes the wrong host dialling it")
            // An erl with the wrong host: a Colony node that dials it refuses it (the default check).
            let wrongErl: Atom = "erl_wrong@127.0.0.1"
            _ = try await scope.startAgent(
                name: wrongErl.name, cookie: cookie, epmdPort: epmdPort, colony: good.name.name,
                extraFlags: fixture.erlangFlags(.wrongHost))
            #expect(await good.ping(wrongErl) == false)
            #expect(await good.ping("erl_host@127.0.0.1"))
        }
    }

    @Test("plain-TCP nodes cannot join a TLS cluster, Erlang or Colony, either way", .timeLimit(.minutes(2)))
    func plainNodes() async throws {
        let fixture = try TLSFixture()
        try await InteropScope.run("tls-plain") { scope in
            let cookie = "tls_plain"
            let epmdPort = try await scope.startEPMD(.otp)
            let tls = try await scope.startNode(
                name: "colony_tlsn@127.0.0.1", cookie: cookie, epmdPort: epmdPort,
                transport: TLSTransport(settings: fixture.settings(.good)))
            let plain = try await scope.startNode(name: "colony_plain@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
            // A plain erl dials the TLS Colony node.
            let plainErl = try await scope.startAgent(
                name: "erl_plain@127.0.0.1", cookie: cookie, epmdPort: epmdPort, action: "ping", colony: tls.name.name)
            let ping = await InteropScope.waitForLine(plainErl, prefix: "RESULT startup_ping", timeout: .seconds(30))
            #expect(ping == "RESULT startup_ping pang", "\(InteropScope.describe(plainErl))")
            // The TLS Colony node dials the plain erl, and the plain Colony node a TLS erl.
            #expect(await tls.ping("erl_plain@127.0.0.1") == false)
            let tlsErl: Atom = "erl_tlsn@127.0.0.1"
            _ = try await scope.startAgent(
                name: tlsErl.name, cookie: cookie, epmdPort: epmdPort, colony: tls.name.name,
                extraFlags: fixture.erlangFlags(.good))
            #expect(await plain.ping(tlsErl) == false)
            #expect(await tls.ping(tlsErl), "the TLS nodes do connect")
        }
    }
}
