/// How a node's distribution runs over TLS: its certificate and key, the CA bundle it trusts, and
/// how it checks peers. The files are PEM, as OTP's `certfile`, `keyfile` and `cacertfile`.
public struct TLSSettings: Sendable, Hashable {
    /// The node's certificate chain (leaf first), used both as server and as client certificate.
    public var certificateFile: String
    /// The private key of the certificate.
    public var keyFile: String
    /// The CA certificates that peers' certificates must chain to.
    public var caFile: String
    /// Whether peers must present a certificate that verifies (OTP's `verify_peer`, the default)
    /// or are not checked at all (`verify_none`).
    public var verification: TLSPeerVerification = .peer
    /// Whose certificates must also name the host of their node name (the part after `@`): by
    /// default the nodes this node dials, as OTP checks the server it dials. Only with
    /// ``TLSPeerVerification/peer``.
    public var hostCheck: TLSHostCheck = .dialled
    /// The oldest TLS version accepted; OTP 25's TLS distribution offers only TLS 1.2 unless its
    /// `versions` option says otherwise.
    public var minimumVersion: TLSProtocolVersion = .v1_2
    /// The newest TLS version offered.
    public var maximumVersion: TLSProtocolVersion = .v1_3

    /// Settings for the files at these paths, verifying peers.
    public init(certificateFile: String, keyFile: String, caFile: String) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.caFile = caFile
    }
}

/// Whether a node checks its peers' certificates.
public enum TLSPeerVerification: String, Sendable, Hashable, CaseIterable {
    /// Both sides present certificates, and each verifies the other's against its CA bundle.
    case peer
    /// Nothing is checked: the connection is encrypted but anyone can connect.
    case none
}

/// Whose certificates must name the host of their node name, as a subject alternative name: an IP
/// address, a DNS name (a left-most `*` matching one label), or an address as DNS text.
public enum TLSHostCheck: String, Sendable, Hashable, CaseIterable {
    /// No one's: any certificate the CA bundle verifies will do, whatever node it claims to be.
    case none
    /// The nodes this node dials (checked as soon as TLS is up, before the Erlang handshake),
    /// as OTP does with the server it dials. The default.
    case dialled
    /// Those, and the nodes that dial this node, by the name their handshake gives
    /// (`--tls-server-name-check`); a mismatch is answered `not_allowed`.
    case all
}

/// A TLS protocol version.
public enum TLSProtocolVersion: String, Sendable, Hashable, CaseIterable {
    /// TLS 1.2.
    case v1_2 = "1.2"
    /// TLS 1.3.
    case v1_3 = "1.3"
}
