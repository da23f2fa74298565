import Colony
import ColonyTLS
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// Colony nodes with each other over TLS: a working cluster, and every kind of peer that must be
/// refused. Two in-process nodes without EPMD, at 127.0.0.1 and 127.0.0.2 on one port.
@Suite("TLS: Colony clusters")
struct TLSClusterTests {
    /// Two nodes (``NodePair``) with TLS on these settings (plain TCP for `nil`).
    static func pair(
        _ label: String, a: TLSSettings?, b: TLSSettings?, _ body: (NodePair) async throws -> Void
    ) async throws {
        try await NodePair.run(
            label, a: a.map { try TLSTransport(settings: $0) }, b: b.map { try TLSTransport(settings: $0) },
            setupTimeout: .seconds(5), body)
    }

    @Test("two nodes over TLS 1.3: messages, a GenServer call, rpc, a link, and the snapshot says TLS")
    func cluster() async throws {
        let fixture = try TLSFixture()
        try await Self.pair("tls13", a: fixture.settings(.good), b: fixture.settings(.good, hostCheck: .all)) {
            pair in
            let (a, b) = (pair.a, pair.b)
            _ = try await b.startServer(KeyValueServer(), name: .local("kv"))
            #expect(await a.connect(to: b.name) == .connected)
            let (stored, fetched, remoteNode) = try await a.runProcess { process -> (Term, Term, Term) in
                let stored = try await process.call(.remote("kv", node: b.name), .tuple(["put", "k", "v"]))
                let fetched = try await process.call(.remote("kv", node: b.name), .tuple(["get", "k"]))
                let node = try await process.rpc(b.name, "erlang", "node", [], timeout: .seconds(5))
                return (stored, fetched, node)
            }
            #expect(stored == "ok")
            #expect(fetched == "v")
            #expect(remoteNode == .atom(b.name))
            // A link across the TLS connection: the remote process's exit arrives as a signal.
            let exit = try await a.runProcess { process -> Term? in
                process.trapExit = true
                let target = b.spawn { target in
                    _ = try await target.receive(timeout: .seconds(10)) { $0 == "stop" ? true : nil }
                    throw ProcessExit("tls_link_test")
                }
                await process.link(target)
                await process.send("stop", to: target)
                return try await process.firstMessage(within: .seconds(10)) {
                    if case .tuple(let t) = $0, t.first == "EXIT" { return true }
                    return false
                }
            }
            if case .tuple(let parts) = exit { #expect(parts.last == "tls_link_test") } else { Issue.record("no EXIT") }
            let snapshot = await a.snapshot()
            #expect(snapshot.transport == "tls")
            let peer = try #require(snapshot.connections.first { $0.name == b.name.name })
            #expect(peer.transport?.hasPrefix("tls TLSv1.3") == true, "\(String(describing: peer.transport))")
            #expect(peer.transport?.contains("CN=colony node") == true, "\(String(describing: peer.transport))")
        }
    }

    @Test("a node offering only TLS 1.2 and one offering 1.2 and 1.3 agree on 1.2")
    func tls12() async throws {
        let fixture = try TLSFixture()
        try await Self.pair("tls12", a: fixture.settings(.good), b: fixture.settings(.good, maximumVersion: .v1_2)) {
            pair in
            #expect(await pair.a.connect(to: pair.b.name) == .connected)
            #expect(await pair.b.ping(pair.a.name))
            let peer = await pair.a.snapshot().connections.first { $0.name == pair.b.name.name }
            #expect(peer?.transport?.hasPrefix("tls TLSv1.2") == true, "\(String(describing: peer?.transport))")
        }
    }

    @Test(
        "a node with a self-signed, another CA's or an expired certificate is refused both ways",
        arguments: [TLSFixture.Identity.selfSigned, .otherCA, .expired])
    func badCertificate(_ identity: TLSFixture.Identity) async throws {
        let fixture = try TLSFixture()
        try await Self.pair("bad", a: fixture.settings(.good), b: fixture.settings(identity)) { pair in
            // The bad node dials: the good node refuses its client certificate.
            #expect(await pair.b.connect(to: pair.a.name) == .failed)
            // The good node dials: it refuses the bad node's server certificate.
            #expect(await pair.a.connect(to: pair.b.name) == .failed)
            #expect(pair.a.nodes().isEmpty && pair.b.nodes().isEmpty)
        }
        // The control: a node that verifies no one (verify none) takes the same bad node, both
        // ways, so the refusals above are about the certificate and nothing else.
        var lenient = fixture.settings(.good, hostCheck: .none)
        lenient.verification = .none
        try await Self.pair("lenient", a: lenient, b: fixture.settings(identity, hostCheck: .none)) { pair in
            #expect(await pair.b.connect(to: pair.a.name) == .connected)
        }
        try await Self.pair("lenient", a: lenient, b: fixture.settings(identity, hostCheck: .none)) { pair in
            #expect(await pair.a.connect(to: pair.b.name) == .connected)
        }
    }

    @Test("a plain-TCP node cannot join a TLS node, dialling or dialled")
    func plainNode() async throws {
        let fixture = try TLSFixture()
        try await Self.pair("plain", a: fixture.settings(.good), b: nil) { pair in
            #expect(await pair.b.connect(to: pair.a.name) == .failed)
            #expect(await pair.a.connect(to: pair.b.name) == .failed)
            #expect(pair.a.nodes().isEmpty && pair.b.nodes().isEmpty)
        }
    }

    @Test("host names: checked both ways, only for nodes dialled (the default), and not at all")
    func hostNameCheck() async throws {
        let fixture = try TLSFixture()
        try await Self.pair(
            "host", a: fixture.settings(.good, hostCheck: .all), b: fixture.settings(.wrongHost, hostCheck: .none)
        ) { pair in
            // a dials b (127.0.0.2), whose certificate names only other.example.
            #expect(await pair.a.connect(to: pair.b.name) == .failed)
            // b dials a: a checks b's certificate against b's node name once the handshake names it.
            #expect(await pair.b.connect(to: pair.a.name) == .failed)
            #expect(pair.a.nodes().isEmpty)
        }
        // By default a node checks the nodes it dials (as OTP does), not the ones dialling it.
        try await Self.pair("dialled", a: fixture.settings(.good), b: fixture.settings(.wrongHost)) { pair in
            #expect(await pair.a.connect(to: pair.b.name) == .failed)
            #expect(await pair.b.connect(to: pair.a.name) == .connected)
        }
        try await Self.pair("nohost", a: fixture.settings(.good, hostCheck: .none), b: fixture.settings(.wrongHost)) {
            pair in
            #expect(await pair.a.connect(to: pair.b.name) == .connected)
        }
    }

    @Test("reload: new connections use the new certificate, the established one stays up")
    func reload() async throws {
        let fixture = try TLSFixture()
        // b trusts both CAs and starts with the cluster CA's certificate, in files that are
        // replaced later; a trusts the cluster CA, c only the second CA.
        let live = TLSSettings(
            certificateFile: fixture.path("live.pem"), keyFile: fixture.path("live.key"), caFile: fixture.bothCAsFile)
        try FileManager.default.copyItem(atPath: fixture.path("good.pem"), toPath: live.certificateFile)
        try FileManager.default.copyItem(atPath: fixture.path("good.key"), toPath: live.keyFile)
        let transport = try TLSTransport(settings: live)
        try await NodePair.run(
            "reload", a: try TLSTransport(settings: fixture.settings(.good)), b: transport, setupTimeout: .seconds(5)
        ) { pair in
            #expect(await pair.a.connect(to: pair.b.name) == .connected)
            let cSettings = fixture.settings(.second, trusting: fixture.secondCAFile)
            var cConfiguration = NodeConfiguration(name: "reload_c@127.0.0.3", cookie: "pair")
            cConfiguration.usesEPMD = false
            cConfiguration.distributionPort = pair.b.distributionPort ?? 0
            cConfiguration.listenAddress = "127.0.0.3"
            cConfiguration.setupTimeout = .seconds(5)
            cConfiguration.transport = try TLSTransport(settings: cSettings)
            let c = try await Node.start(cConfiguration)
            #expect(await c.connect(to: pair.b.name) == .failed, "c does not trust b's first certificate")
            for name in ["pem", "key"] {
                try FileManager.default.removeItem(atPath: fixture.path("live.\(name)"))
                try FileManager.default.copyItem(
                    atPath: fixture.path("second.\(name)"), toPath: fixture.path("live.\(name)"))
            }
            try transport.reload()
            #expect(transport.certificateSubject.contains("second node"))
            #expect(await c.connect(to: pair.b.name) == .connected, "c trusts b's new certificate")
            #expect(pair.a.nodes().contains(pair.b.name), "the connection made before the reload stays up")
            #expect(await pair.a.ping(pair.b.name))
            await c.stop()
        }
    }

    @Test("unusable files are refused at start with the file named")
    func unusableFiles() throws {
        let fixture = try TLSFixture()
        var missing = fixture.settings(.good)
        missing.caFile = fixture.path("no-such-ca.pem")
        #expect(throws: TLSTransportError.self) { try TLSTransport(settings: missing) }
        do {
            _ = try TLSTransport(settings: missing)
        } catch {
            #expect("\(error)".contains("no-such-ca.pem"))
        }
        var mismatched = fixture.settings(.good)
        mismatched.keyFile = fixture.path("expired.key")
        #expect(throws: TLSTransportError.self) { try TLSTransport(settings: mismatched) }
        var contradictory = fixture.settings(.good, hostCheck: .all)
        contradictory.verification = .none
        #expect(throws: TLSTransportError.self) { try TLSTransport(settings: contradictory) }
    }
}
