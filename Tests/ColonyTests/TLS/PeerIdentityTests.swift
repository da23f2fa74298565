import Foundation
import NIOSSL
import Testing

@testable import ColonyTLS

/// The host-name check against a peer's node name.
@Suite("TLS: peer identity")
struct PeerIdentityTests {
    static func certificate(hosts: [String]) throws -> NIOSSLCertificate {
        let authority = try CertificateAuthority(commonName: "identity test CA")
        let issued = try authority.issue(commonName: "identity test", hosts: hosts)
        return try NIOSSLCertificate(bytes: Array(issued.certificatePEM.utf8), format: .pem)
    }

    @Test("an address matches its IP entry; a host name matches case-insensitively and by one-label wildcard")
    func matching() throws {
        let certificate = try Self.certificate(hosts: ["10.1.2.3", "node-1.colony.svc", "*.pods.local", "::1"])
        #expect(PeerIdentity.check(certificate, host: "10.1.2.3").matches)
        #expect(!PeerIdentity.check(certificate, host: "10.1.2.4").matches)
        #expect(PeerIdentity.check(certificate, host: "::1").matches)
        #expect(PeerIdentity.check(certificate, host: "NODE-1.colony.svc.").matches)
        #expect(PeerIdentity.check(certificate, host: "a.pods.local").matches)
        #expect(!PeerIdentity.check(certificate, host: "a.b.pods.local").matches, "a wildcard covers one label")
        #expect(!PeerIdentity.check(certificate, host: "pods.local").matches)
        #expect(!PeerIdentity.check(certificate, host: "node-2.colony.svc").matches)
        let names = PeerIdentity.check(certificate, host: "x").names
        #expect(names.contains("IP:10.1.2.3") && names.contains("DNS:node-1.colony.svc"), "\(names)")
    }

    @Test("issued certificates name an address both as IP and as DNS text, as OTP checks it")
    func addressAsText() throws {
        let certificate = try Self.certificate(hosts: ["127.0.0.1"])
        let names = PeerIdentity.check(certificate, host: "127.0.0.1").names
        #expect(names.contains("IP:127.0.0.1") && names.contains("DNS:127.0.0.1"), "\(names)")
    }
}
