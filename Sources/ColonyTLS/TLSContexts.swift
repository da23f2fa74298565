import NIOSSL

/// The server and client TLS contexts built from one reading of the settings' files.
struct TLSContexts: Sendable {
    let server: NIOSSLContext
    let client: NIOSSLContext
    /// The subject of this node's certificate, for logs.
    let subject: String

    /// Reads the files and builds both contexts; throws ``TLSTransportError`` naming the file
    /// that could not be used.
    init(settings: TLSSettings) throws {
        guard settings.minimumVersion.rawValue <= settings.maximumVersion.rawValue else {
            throw TLSTransportError.invalidSettings(
                "the minimum version \(settings.minimumVersion.rawValue) is above the maximum \(settings.maximumVersion.rawValue)"
            )
        }
        let chain = try Self.load(settings.certificateFile) { try NIOSSLCertificate.fromPEMFile($0) }
        guard let leaf = chain.first else {
            throw TLSTransportError.unusableFile(path: settings.certificateFile, reason: "it holds no certificate")
        }
        let key = try Self.load(settings.keyFile) { try NIOSSLPrivateKey(file: $0, format: .pem) }
        let roots = try Self.load(settings.caFile) { try NIOSSLCertificate.fromPEMFile($0) }
        guard !roots.isEmpty else {
            throw TLSTransportError.unusableFile(path: settings.caFile, reason: "it holds no certificate")
        }
        let verification: CertificateVerification =
            switch settings.verification {
            // Host names are checked by this module against the peer's node name, not by
            // BoringSSL against the address dialled (see `PeerIdentity`).
            case .peer: .noHostnameVerification
            case .none: .none
            }
        func configure(_ configuration: inout TLSConfiguration) {
            configuration.trustRoots = .certificates(roots)
            configuration.certificateVerification = verification
            configuration.minimumTLSVersion = settings.minimumVersion.nioVersion
            configuration.maximumTLSVersion = settings.maximumVersion.nioVersion
            // A closed distribution connection must end at once, as over TCP: the peer learns of
            // the disconnect from the socket closing, and OTP does not answer close_notify before
            // the socket goes. Waiting NIOSSL's default 5 s for that answer left an Erlang peer
            // holding the old connection, so a reconnect waited out net_setuptime.
            configuration.shutdownTimeout = .milliseconds(100)
        }
        var server = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configure(&server)
        var client = TLSConfiguration.makeClientConfiguration()
        client.certificateChain = chain.map { .certificate($0) }
        client.privateKey = .privateKey(key)
        configure(&client)
        do {
            self.server = try NIOSSLContext(configuration: server)
            self.client = try NIOSSLContext(configuration: client)
        } catch {
            throw TLSTransportError.unusableFile(
                path: settings.keyFile,
                reason:
                    "the key does not go with the certificate in \(settings.certificateFile), or is unusable: \(error)")
        }
        subject = PeerIdentity.subject(of: leaf)
    }

    private static func load<Value>(_ path: String, _ read: (String) throws -> Value) throws -> Value {
        do {
            return try read(path)
        } catch {
            throw TLSTransportError.unusableFile(path: path, reason: "\(error)")
        }
    }
}

extension TLSProtocolVersion {
    var nioVersion: TLSVersion {
        switch self {
        case .v1_2: .tlsv12
        case .v1_3: .tlsv13
        }
    }
}
