import ColonyTLS
import Foundation

/// Certificates for the TLS tests, made fresh in a scratch directory: a cluster CA with a good
/// node certificate, and the bad kinds each refusal test needs.
final class TLSFixture: Sendable {
    /// Which certificate a node presents.
    enum Identity: String, CaseIterable, Sendable {
        /// Issued by the cluster CA for 127.0.0.1 and localhost.
        case good
        /// A self-signed certificate (its own CA), not in anyone's bundle.
        case selfSigned = "self-signed"
        /// Issued by another CA.
        case otherCA = "other-ca"
        /// Issued by the cluster CA, expired yesterday.
        case expired
        /// Issued by the cluster CA for another host only (other.example).
        case wrongHost = "wrong-host"
        /// Issued by the second CA, for the reload test: good once a node trusts that CA.
        case second
    }

    let directory: URL
    /// The cluster CA's bundle.
    let caFile: String
    /// A bundle with the cluster CA and the second CA.
    let bothCAsFile: String
    /// The second CA alone.
    let secondCAFile: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("colony-tls-\(UUID().uuidString)")
        let cluster = try TLSClusterFiles.create(in: directory, hosts: ["127.0.0.1", "127.0.0.2", "localhost"])
        caFile = cluster.caFile
        let authority = try CertificateAuthority(
            certificatePEM: String(contentsOfFile: cluster.caFile, encoding: .utf8),
            privateKeyPEM: String(contentsOf: directory.appendingPathComponent("ca.key"), encoding: .utf8))
        let hosts = ["127.0.0.1", "127.0.0.2", "localhost"]
        let directory = directory
        let file = { (name: String) in directory.appendingPathComponent(name).path }
        try FileManager.default.copyItem(atPath: cluster.certificateFile, toPath: file("good.pem"))
        try FileManager.default.copyItem(atPath: cluster.keyFile, toPath: file("good.key"))
        try TLSClusterFiles.write(
            IssuedCertificate.selfSigned(commonName: "self-signed node", hosts: hosts), in: directory,
            name: "self-signed")
        let other = try CertificateAuthority(commonName: "Another CA")
        try TLSClusterFiles.write(
            other.issue(commonName: "other-ca node", hosts: hosts), in: directory, name: "other-ca")
        let day: TimeInterval = 86_400
        try TLSClusterFiles.write(
            authority.issue(
                commonName: "expired node", hosts: hosts, notBefore: Date().addingTimeInterval(-10 * day),
                notAfter: Date().addingTimeInterval(-day)), in: directory, name: "expired")
        try TLSClusterFiles.write(
            authority.issue(commonName: "wrong-host node", hosts: ["other.example"]), in: directory, name: "wrong-host")
        let second = try CertificateAuthority(commonName: "Second CA")
        try TLSClusterFiles.write(second.issue(commonName: "second node", hosts: hosts), in: directory, name: "second")
        secondCAFile = directory.appendingPathComponent("second-ca.pem").path
        try second.certificatePEM.write(toFile: secondCAFile, atomically: true, encoding: .utf8)
        bothCAsFile = directory.appendingPathComponent("both-cas.pem").path
        try (authority.certificatePEM + "\n" + second.certificatePEM + "\n").write(
            toFile: bothCAsFile, atomically: true, encoding: .utf8)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    /// Settings presenting `identity` and trusting `caFile` (default: the cluster CA).
    func settings(
        _ identity: Identity, trusting caFile: String? = nil, hostCheck: TLSHostCheck = .dialled,
        maximumVersion: TLSProtocolVersion = .v1_3
    ) -> TLSSettings {
        var settings = TLSSettings(
            certificateFile: path("\(identity.rawValue).pem"), keyFile: path("\(identity.rawValue).key"),
            caFile: caFile ?? self.caFile)
        settings.hostCheck = hostCheck
        settings.maximumVersion = maximumVersion
        return settings
    }

    /// The `-ssl_dist_optfile` for an Erlang node presenting `identity`, trusting the cluster CA.
    func erlangOptionsFile(_ identity: Identity, versions: [TLSProtocolVersion] = [.v1_2, .v1_3]) throws -> String {
        var settings = settings(identity)
        settings.minimumVersion = versions.first ?? .v1_2
        settings.maximumVersion = versions.last ?? .v1_3
        let file = path("\(identity.rawValue)-\(versions.map(\.rawValue).joined(separator: "_")).conf")
        try TLSClusterFiles.erlangOptions(for: settings).write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// The `erl` flags for a node presenting `identity` over TLS.
    func erlangFlags(_ identity: Identity, versions: [TLSProtocolVersion] = [.v1_2, .v1_3]) throws -> [String] {
        ["-proto_dist", "inet_tls", "-ssl_dist_optfile", try erlangOptionsFile(identity, versions: versions)]
    }
}
