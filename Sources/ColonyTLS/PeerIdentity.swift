import NIOSSL
import X509

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whether a certificate names a host: the check behind ``TLSSettings/checksHostName``.
///
/// A host that is an IP address matches a subject alternative name of type IP address with the
/// same bytes, or a DNS name with the same text (OTP's TLS distribution checks an address as a DNS
/// name, so certificates for Erlang nodes named `name@10.0.0.5` carry `DNS:10.0.0.5`). A host name
/// matches a DNS name ignoring case, where a left-most `*` stands for exactly one label. A
/// certificate without subject alternative names matches by its common name.
enum PeerIdentity {
    /// Whether `certificate` names `host`; `names` lists what it does name, for the error.
    static func check(_ certificate: NIOSSLCertificate, host: String) -> (matches: Bool, names: [String]) {
        guard let parsed = try? Certificate(derEncoded: certificate.toDERBytes()) else { return (false, []) }
        let wanted = normalized(host)
        let address = addressBytes(wanted)
        var names: [String] = []
        var matched = false
        if let alternatives = try? parsed.extensions.subjectAlternativeNames {
            for name in alternatives {
                switch name {
                case .dnsName(let dns):
                    names.append("DNS:\(dns)")
                    if address == nil ? dnsName(normalized(dns), matches: wanted) : normalized(dns) == wanted {
                        matched = true
                    }
                case .ipAddress(let octets):
                    let bytes = Array(octets.bytes)
                    names.append("IP:\(describe(bytes))")
                    if let address, bytes == address { matched = true }
                default:
                    continue
                }
            }
            return (matched, names)
        }
        let commonNames = parsed.subject.flatMap { $0 }.filter { $0.type == .RDNAttributeType.commonName }
            .map { String(describing: $0.value) }
        return (commonNames.contains { normalized($0) == wanted }, commonNames.map { "CN=\($0)" })
    }

    /// The certificate's subject, as `CN=...,O=...`.
    static func subject(of certificate: NIOSSLCertificate) -> String {
        guard let parsed = try? Certificate(derEncoded: certificate.toDERBytes()) else { return "?" }
        return String(describing: parsed.subject)
    }

    private static func normalized(_ name: String) -> String {
        var name = name.lowercased()
        while name.hasSuffix(".") { name.removeLast() }
        return name
    }

    private static func dnsName(_ pattern: String, matches host: String) -> Bool {
        guard pattern.hasPrefix("*.") else { return pattern == host }
        guard let dot = host.firstIndex(of: "."), host.startIndex != dot else { return false }
        return host[host.index(after: dot)...] == pattern.dropFirst(2)
    }

    /// The bytes of an IPv4 or IPv6 literal, or `nil` for a host name.
    static func addressBytes(_ host: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        let literal = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if inet_pton(AF_INET6, literal, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    private static func describe(_ bytes: [UInt8]) -> String {
        bytes.count == 4
            ? bytes.map(String.init).joined(separator: ".")
            : bytes.map { String($0, radix: 16) }.joined(separator: ":")
    }
}
