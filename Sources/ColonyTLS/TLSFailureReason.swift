/// Plain words for why a TLS handshake failed, from the error BoringSSL reported.
///
/// BoringSSL's reason codes are exact but terse (`CERTIFICATE_VERIFY_FAILED`,
/// `TLSV1_ALERT_UNKNOWN_CA`); an operator reading the log should not need its source to know
/// that a peer's certificate came from another CA, or that the peer is not a TLS node at all.
enum TLSFailureReason {
    /// What `error` means for the operator, with the library's own text after it.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        for (code, meaning) in meanings where text.contains(code) {
            return "\(meaning) [\(code)]"
        }
        if text.contains("uncleanShutdown") {
            return
                "the peer closed the connection during the TLS handshake (it refused this node, or is not a TLS node)"
        }
        return text
    }

    /// BoringSSL reason codes and their meanings, most specific first.
    private static let meanings: [(String, String)] = [
        (
            "CERTIFICATE_VERIFY_FAILED",
            "the peer's certificate did not verify against this node's CA bundle: it is self-signed, from another CA, expired or not yet valid"
        ),
        ("SSLV3_ALERT_CERTIFICATE_EXPIRED", "the peer refused this node's certificate: it has expired"),
        ("TLSV1_ALERT_UNKNOWN_CA", "the peer refused this node's certificate: its CA is not in the peer's bundle"),
        ("SSLV3_ALERT_BAD_CERTIFICATE", "the peer refused this node's certificate as bad"),
        ("SSLV3_ALERT_UNSUPPORTED_CERTIFICATE", "the peer refused this node's certificate as unsupported"),
        ("SSLV3_ALERT_CERTIFICATE_UNKNOWN", "the peer refused this node's certificate"),
        ("TLSV1_ALERT_DECRYPT_ERROR", "the peer refused this node's certificate (a signature did not verify)"),
        ("PEER_DID_NOT_RETURN_A_CERTIFICATE", "the peer presented no certificate, and this node requires one"),
        ("TLSV13_ALERT_CERTIFICATE_REQUIRED", "the peer requires a certificate from this node"),
        ("CERTIFICATE_REQUIRED", "the peer requires a certificate from this node"),
        ("WRONG_VERSION_NUMBER", "the peer does not speak TLS (a plain-TCP distribution node?)"),
        ("HTTP_REQUEST", "the peer does not speak TLS"),
        ("UNSUPPORTED_PROTOCOL", "the peer offers no TLS version this node accepts"),
        ("TLSV1_ALERT_PROTOCOL_VERSION", "the peer accepts no TLS version this node offers"),
        ("NO_SHARED_CIPHER", "the peer has no cipher suite in common with this node"),
        (
            "SSLV3_ALERT_HANDSHAKE_FAILURE",
            "the peer aborted the TLS handshake (no common parameters, or it refused this node's certificate)"
        ),
    ]
}
