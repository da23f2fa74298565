/// Why TLS distribution could not be set up, or refused a peer.
public enum TLSTransportError: Error, Sendable, CustomStringConvertible {
    /// A certificate, key or CA file could not be read or used.
    case unusableFile(path: String, reason: String)
    /// The settings cannot work together.
    case invalidSettings(String)
    /// The peer presented no certificate although this node verifies peers.
    case noPeerCertificate(peer: String)
    /// The peer's certificate does not name the host of its node name.
    case hostNameMismatch(peer: String, host: String, names: [String])

    public var description: String {
        switch self {
        case .unusableFile(let path, let reason):
            "cannot use \(path): \(reason)"
        case .invalidSettings(let reason):
            "invalid TLS settings: \(reason)"
        case .noPeerCertificate(let peer):
            "\(peer) presented no certificate"
        case .hostNameMismatch(let peer, let host, let names):
            "the certificate of \(peer) does not name its host \(host) (it names \(names.isEmpty ? "nothing" : names.joined(separator: ", ")))"
        }
    }
}
