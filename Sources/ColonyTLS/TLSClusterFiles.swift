public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The files of a TLS cluster in one directory: `ca.pem` (and `ca.key`), `node.pem` and
/// `node.key`, and `ssl_dist.conf`, the `-ssl_dist_optfile` that lets an Erlang or Elixir node
/// join with the same certificate.
///
/// `colony tls-init` writes them; so do the demo (`colony demo --tls`), the tests and the
/// benchmarks.
public enum TLSClusterFiles {
    /// Creates a CA and one node certificate for `hosts` in `directory` (created if needed), and
    /// returns the settings that use them.
    @discardableResult
    public static func create(
        in directory: URL, hosts: [String], commonName: String = "colony node", days: Int = 365
    ) throws -> TLSSettings {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let caKey = directory.appendingPathComponent("ca.key")
        if FileManager.default.fileExists(atPath: caKey.path) {
            throw TLSTransportError.invalidSettings("\(caKey.path) exists: a CA is not replaced (remove it first)")
        }
        let authority = try CertificateAuthority(commonName: "Colony cluster CA", days: days)
        let issued = try authority.issue(
            commonName: commonName, hosts: hosts, notAfter: Date().addingTimeInterval(Double(days) * 86_400))
        try write(authority.certificatePEM, to: directory.appendingPathComponent("ca.pem"))
        try write(authority.privateKeyPEM, to: directory.appendingPathComponent("ca.key"), secret: true)
        let settings = try write(issued, in: directory, name: "node")
        try write(erlangOptions(for: settings), to: directory.appendingPathComponent("ssl_dist.conf"))
        return settings
    }

    /// Writes `issued` as `NAME.pem` and `NAME.key` in `directory` and returns settings that use
    /// them with `ca.pem` from the same directory.
    @discardableResult
    public static func write(_ issued: IssuedCertificate, in directory: URL, name: String) throws -> TLSSettings {
        let certificate = directory.appendingPathComponent("\(name).pem")
        let key = directory.appendingPathComponent("\(name).key")
        try write(issued.certificatePEM, to: certificate)
        try write(issued.privateKeyPEM, to: key, secret: true)
        return TLSSettings(
            certificateFile: certificate.path, keyFile: key.path,
            caFile: directory.appendingPathComponent("ca.pem").path)
    }

    /// The text of an `-ssl_dist_optfile` for an Erlang node with the same files and verification
    /// as `settings`: both sides verify (`verify_peer`, `fail_if_no_peer_cert`), or neither. OTP
    /// checks the host of the nodes it dials (as ``TLSHostCheck/dialled``); it has no check of
    /// incoming peers by node name (its `verify_client` checks their IP address instead).
    public static func erlangOptions(for settings: TLSSettings) -> String {
        func quoted(_ path: String) -> String {
            "\"" + path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        let files =
            "{certfile,\(quoted(settings.certificateFile))},{keyfile,\(quoted(settings.keyFile))},{cacertfile,\(quoted(settings.caFile))}"
        let versions = TLSProtocolVersion.allCases
            .filter {
                $0.rawValue >= settings.minimumVersion.rawValue && $0.rawValue <= settings.maximumVersion.rawValue
            }
            .map { "'tlsv\($0.rawValue)'" }.joined(separator: ",")
        let verify = settings.verification == .peer ? "verify_peer" : "verify_none"
        let serverExtra = settings.verification == .peer ? ",{fail_if_no_peer_cert,true}" : ""
        return """
            [{server,[\(files),{verify,\(verify)}\(serverExtra),{versions,[\(versions)]}]},
             {client,[\(files),{verify,\(verify)},{versions,[\(versions)]}]}].

            """
    }

    /// Writes `text` to `url`; a secret is created readable by its owner only from the start,
    /// never briefly readable by others.
    private static func write(_ text: String, to url: URL, secret: Bool = false) throws {
        guard secret else {
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        try? FileManager.default.removeItem(at: url)
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw TLSTransportError.unusableFile(path: url.path, reason: "cannot be created (errno \(errno))")
        }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else {
                throw TLSTransportError.unusableFile(path: url.path, reason: "cannot be written (errno \(errno))")
            }
            written += count
        }
    }
}
