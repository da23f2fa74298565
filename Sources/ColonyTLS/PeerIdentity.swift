import NIOSSL
import X509

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whether a certificate names a host: the check behind ``TLSSettings/hostCheck``.
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
        let alternativeNames: SubjectAlternativeNames?
        do {
            alternativeNames = try parsed.extensions.subjectAlternativeNames
        } catch {
            // A malformed extension names nothing: it is not taken as absent (which would let
            // the common name decide).
            return (false, [])
        }
        if let alternatives = alternativeNames {
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
            .compactMap { String($0.value) }
        return (commonNames.contains { normalized($0) == wanted }, commonNames.map { "CN=\($0)" })
    }

    /// The certificate's subject, as `CN=...,O=...`.
    static func subject(of certificate: NIOSSLCertificate) -> String {
        guard let parsed = try? Certificate(derEncoded: certificate.toDERBytes()) else { return "?" }
        return String(describing: parsed.subject)
    }

    /// `name` with ASCII letters lowered (only: a Unicode-aware fold maps other characters onto
    /// ASCII ones) and without trailing dots.
    private static func normalized(_ name: String) -> String {
        var name = String(
            decoding: name.utf8.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
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
