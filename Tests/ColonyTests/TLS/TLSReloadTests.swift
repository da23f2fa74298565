import Colony
import ColonyTLS
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `colony node` re-reads its certificate files on SIGHUP: new connections get the new
/// certificate, the ones already up stay up.
@Suite("TLS: certificate reload on SIGHUP")
struct TLSReloadTests {
    @Test(
        "after SIGHUP a peer trusting only the new CA connects, and the old connection stays up",
        .timeLimit(.minutes(2)))
    func sighup() async throws {
        let fixture = try TLSFixture()
        let live = (certificate: fixture.path("live.pem"), key: fixture.path("live.key"))
        try FileManager.default.copyItem(atPath: fixture.path("good.pem"), toPath: live.certificate)
        try FileManager.default.copyItem(atPath: fixture.path("good.key"), toPath: live.key)
        try await InteropScope.run("tls-hup") { scope in
            let cookie = "tls_hup"
            let epmdPort = try await scope.startEPMD(.colony)
            let served: Atom = "colony_hup@127.0.0.1"
            let process = try await scope.startColonyProcess(
                name: served.name, cookie: cookie, epmdPort: epmdPort,
                extra: [
                    "--tls-certfile", live.certificate, "--tls-keyfile", live.key, "--tls-cacertfile",
                    fixture.bothCAsFile,
                ])
            // `colony ping` speaks TLS with the same flags (and is refused without them).
            let tlsFlags = [
                "--tls-certfile", fixture.path("good.pem"), "--tls-keyfile", fixture.path("good.key"),
                "--tls-cacertfile", fixture.caFile,
            ]
            let common = ["ping", served.name, "--cookie", cookie, "--epmd-port", String(epmdPort)]
            let pong = try await ExternalProcess.run(try ColonyBinary.url, common + tlsFlags, timeout: .seconds(30))
            #expect(
                pong.status == 0 && pong.standardOutput.contains("pong"), "\(pong.standardOutput)\(pong.standardError)")
            let pang = try await ExternalProcess.run(try ColonyBinary.url, common, timeout: .seconds(30))
            #expect(pang.status == 1 && pang.standardOutput.contains("pang"), "\(pang.standardOutput)")
            // `old` trusts the cluster CA, which signed the first certificate.
            let old = try await scope.startNode(
                name: "colony_hup_old@127.0.0.1", cookie: cookie, epmdPort: epmdPort,
                transport: TLSTransport(settings: fixture.settings(.good)))
            let events = InteropNodeEvents(old)
            #expect(await old.ping(served), "\(InteropScope.describe(process))")
            // `new` trusts only the second CA.
            let new = try await scope.startNode(
                name: "colony_hup_new@127.0.0.1", cookie: cookie, epmdPort: epmdPort,
                transport: TLSTransport(settings: fixture.settings(.second, trusting: fixture.secondCAFile)))
            #expect(await new.ping(served) == false, "new does not trust the first certificate")

            for suffix in ["pem", "key"] {
                let staged = fixture.path("staged.\(suffix)")
                try FileManager.default.copyItem(atPath: fixture.path("second.\(suffix)"), toPath: staged)
                #expect(rename(staged, fixture.path("live.\(suffix)")) == 0)
            }
            process.signal(SIGHUP)
            let reloaded = await InteropScope.waitForLine(process, prefix: "tls: reloaded", timeout: .seconds(10))
            #expect(reloaded?.contains("second node") == true, "\(InteropScope.describe(process))")

            #expect(await new.ping(served), "new trusts the reloaded certificate: \(InteropScope.describe(process))")
            #expect(old.nodes().contains(served), "the connection made before the reload is still up")
            let node = try await old.runProcess { try await $0.rpc(served, "erlang", "node", [], timeout: .seconds(5)) }
            #expect(node == .atom(served))
            #expect(await events.wait(for: InteropNodeEvents.isDown(served), timeout: .milliseconds(200)) == nil)
            #expect(process.isRunning)

            // A file that cannot be used is reported, and the certificate in use stays.
            try "not a certificate".write(toFile: fixture.path("live.pem"), atomically: true, encoding: .utf8)
            process.signal(SIGHUP)
            let failed = await InteropScope.waitForLine(process, prefix: "tls: reload failed", timeout: .seconds(10))
            #expect(failed != nil, "\(InteropScope.describe(process))")
            #expect(await new.disconnect(served))
            #expect(await new.ping(served), "the second certificate is still served")
        }
    }
}
