public import Colony
public import ErlangDistribution
public import Logging
public import NIOCore
import NIOSSL
import Synchronization

/// Distribution over TLS, as OTP's `-proto_dist inet_tls`: Colony and Erlang nodes configured
/// with certificates from the same CA form one cluster.
///
/// Each connection runs a TLS handshake (1.2 or 1.3) and then the Erlang handshake inside it,
/// framed as `inet_tls_dist` frames it (4-byte lengths). With ``TLSPeerVerification/peer`` both
/// sides present certificates and each verifies the other's against its CA bundle; with
/// ``TLSSettings/hostCheck`` a peer's certificate must also name the host of its node name: the
/// nodes it dials by default, as OTP, and with ``TLSHostCheck/all`` the nodes that dial it too.
/// EPMD stays plain.
///
/// ```swift
/// var configuration = NodeConfiguration(name: "a@10.0.0.5", cookie: cookie)
/// configuration.transport = try TLSTransport(
///     settings: TLSSettings(certificateFile: "node.pem", keyFile: "node.key", caFile: "ca.pem"))
/// let node = try await Node.start(configuration)
/// ```
///
/// ``reload()`` reads the files again: new connections use the new certificate and CA bundle,
/// established ones keep theirs.
public final class TLSTransport: DistributionTransport {
    /// The settings this transport was made with.
    public let settings: TLSSettings
    private let contexts: Mutex<TLSContexts>
    private let logger: Logger

    /// A transport with the certificate, key and CA bundle that `settings` names; throws
    /// ``TLSTransportError`` when a file cannot be read or the key does not go with the
    /// certificate.
    public init(settings: TLSSettings, logger: Logger = Logger(label: "colony.distribution.tls")) throws {
        if settings.verification == .none && settings.hostCheck == .all {
            throw TLSTransportError.invalidSettings(
                "checking peers' host names needs their certificates verified (verify peer, not none)")
        }
        self.settings = settings
        self.logger = logger
        let loaded = try TLSContexts(settings: settings)
        contexts = Mutex(loaded)
        logger.info(
            "distribution over TLS \(settings.minimumVersion.rawValue)-\(settings.maximumVersion.rawValue) as \(loaded.subject), verify \(settings.verification.rawValue)\(Self.hostCheckText(settings))"
        )
    }

    /// Reads the certificate, key and CA files again. Connections made from now on use them;
    /// established ones are not touched. On failure the files in use stay in use.
    public func reload() throws {
        let loaded = try TLSContexts(settings: settings)
        contexts.withLock { $0 = loaded }
        logger.info("TLS certificates reloaded: now \(loaded.subject)")
    }

    /// The subject of the certificate new connections present.
    public var certificateSubject: String { contexts.withLock { $0.subject } }

    public var name: String { "tls" }

    public var handshakeFraming: HandshakeFraming { .fourByteLength }

    public func prepareOutbound(_ channel: any Channel, peerHost: String) throws {
        let context = contexts.withLock { $0.client }
        // SNI carries host names only; an address is never sent in it.
        let serverName = PeerIdentity.addressBytes(peerHost) == nil && !peerHost.isEmpty ? peerHost : nil
        let handler = try NIOSSLClientHandler(context: context, serverHostname: serverName)
        let checkedHost = settings.hostCheck != .none && settings.verification == .peer ? peerHost : nil
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(handler)
        try pipeline.addHandler(TLSHandshakeReporter(logger: logger, direction: "to", expectedHost: checkedHost))
    }

    public func prepareInbound(_ channel: any Channel) throws {
        let context = contexts.withLock { $0.server }
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(NIOSSLServerHandler(context: context))
        try pipeline.addHandler(TLSHandshakeReporter(logger: logger, direction: "from", expectedHost: nil))
    }

    public func authorize(_ channel: any Channel, peerName: String) throws {
        guard settings.hostCheck == .all, settings.verification == .peer else { return }
        guard let certificate = try channel.pipeline.syncOperations.nioSSL_peerCertificate() else {
            throw TLSTransportError.noPeerCertificate(peer: peerName)
        }
        let host = String(peerName.split(separator: "@", maxSplits: 1).last ?? "")
        let (matches, names) = PeerIdentity.check(certificate, host: host)
        guard matches else { throw TLSTransportError.hostNameMismatch(peer: peerName, host: host, names: names) }
    }

    public func describe(_ channel: any Channel) -> String? {
        let pipeline = channel.pipeline.syncOperations
        guard let version = try? pipeline.nioSSL_tlsVersion() else { return "tls" }
        var text = "tls \(Self.name(of: version))"
        if let certificate = try? pipeline.nioSSL_peerCertificate() {
            text += " peer \(PeerIdentity.subject(of: certificate))"
        }
        return text
    }

    private static func hostCheckText(_ settings: TLSSettings) -> String {
        guard settings.verification == .peer else { return ", no certificate or host name checked" }
        switch settings.hostCheck {
        case .none: return ", host names not checked"
        case .dialled: return ", host names of nodes dialled checked"
        case .all: return ", host names checked both ways"
        }
    }

    private static func name(of version: TLSVersion) -> String {
        switch version {
        case .tlsv1: "TLSv1"
        case .tlsv11: "TLSv1.1"
        case .tlsv12: "TLSv1.2"
        case .tlsv13: "TLSv1.3"
        }
    }
}
