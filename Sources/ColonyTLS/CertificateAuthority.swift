import Crypto
public import Foundation
import SwiftASN1
import X509

/// A certificate authority that issues node certificates for TLS distribution: enough to set up
/// a cluster, a test or a demo without `openssl`. Keys are ECDSA P-256, which OTP 25 accepts.
///
/// A production cluster would rather take its certificates from its own PKI; the files this
/// writes are the same PEM files either way.
public struct CertificateAuthority: Sendable {
    /// The CA's certificate, PEM.
    public let certificatePEM: String
    /// The CA's private key, PEM (PKCS#8).
    public let privateKeyPEM: String
    private let certificate: Certificate

    /// A new self-signed CA named `commonName`, valid from an hour before `now` for `days` days.
    public init(commonName: String, days: Int = 365, now: Date = Date()) throws {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName(commonName) }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(Double(days) * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: .init(key.publicKey))
            },
            issuerPrivateKey: .init(key))
        try self.init(certificate: certificate, key: key)
    }

    /// The CA in these PEM texts (as ``certificatePEM`` and ``privateKeyPEM`` wrote them).
    public init(certificatePEM: String, privateKeyPEM: String) throws {
        try self.init(
            certificate: Certificate(pemEncoded: certificatePEM),
            key: P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM))
    }

    private init(certificate: Certificate, key: P256.Signing.PrivateKey) throws {
        self.certificate = certificate
        certificatePEM = try certificate.serializeAsPEM().pemString
        privateKeyPEM = key.pemRepresentation
    }

    /// A certificate for a node on `hosts`, usable as server and client certificate, valid from
    /// `notBefore` to `notAfter` (an expired one, for a test, is simply one whose `notAfter` has
    /// passed). A host that is an IP address is named both as an IP address and as DNS text, since
    /// OTP's TLS distribution checks an address as a DNS name.
    public func issue(
        commonName: String, hosts: [String], notBefore: Date = Date().addingTimeInterval(-3600),
        notAfter: Date = Date().addingTimeInterval(365 * 86_400)
    ) throws -> IssuedCertificate {
        let key = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        let authorityKey = (try? certificate.extensions.subjectKeyIdentifier).flatMap { $0 }?.keyIdentifier
        return try IssuedCertificate.make(
            commonName: commonName, hosts: hosts, notBefore: notBefore, notAfter: notAfter,
            issuer: (certificate.subject, key, authorityKey))
    }
}

/// A node's certificate and private key, PEM.
public struct IssuedCertificate: Sendable {
    /// The certificate, PEM.
    public let certificatePEM: String
    /// The private key, PEM (PKCS#8).
    public let privateKeyPEM: String

    /// A self-signed node certificate for `hosts`: only a peer that has this very certificate in
    /// its CA bundle (or does not verify) accepts it.
    public static func selfSigned(
        commonName: String, hosts: [String], notBefore: Date = Date().addingTimeInterval(-3600),
        notAfter: Date = Date().addingTimeInterval(365 * 86_400)
    ) throws -> IssuedCertificate {
        try make(commonName: commonName, hosts: hosts, notBefore: notBefore, notAfter: notAfter, issuer: nil)
    }

    /// A leaf certificate signed by `issuer` (its name, key and key identifier), or by its own key.
    static func make(
        commonName: String, hosts: [String], notBefore: Date, notAfter: Date,
        issuer: (name: DistinguishedName, key: P256.Signing.PrivateKey, keyIdentifier: ArraySlice<UInt8>?)?
    ) throws -> IssuedCertificate {
        let leafKey = P256.Signing.PrivateKey()
        var names: [GeneralName] = []
        for host in hosts {
            if let bytes = PeerIdentity.addressBytes(host) {
                names.append(.ipAddress(ASN1OctetString(contentBytes: bytes[...])))
            }
            names.append(.dnsName(host))
        }
        let subject = try DistinguishedName { CommonName(commonName) }
        let leaf = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(leafKey.publicKey),
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: issuer?.name ?? subject,
            subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectAlternativeNames(names)
                if let keyIdentifier = issuer?.keyIdentifier { AuthorityKeyIdentifier(keyIdentifier: keyIdentifier) }
            },
            issuerPrivateKey: .init(issuer?.key ?? leafKey))
        return IssuedCertificate(
            certificatePEM: try leaf.serializeAsPEM().pemString, privateKeyPEM: leafKey.pemRepresentation)
    }
}
