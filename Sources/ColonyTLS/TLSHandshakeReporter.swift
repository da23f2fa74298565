import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// Sits behind the TLS handler of a distribution connection: logs why a TLS handshake failed, in
/// plain words, and on an outgoing connection checks the peer's certificate against the host
/// dialled (when host names are checked) as soon as the TLS handshake completes, before the
/// Erlang handshake sends anything.
///
/// Under TLS 1.3 a client's handshake completes before the server has checked the client's
/// certificate, so a refusal arrives as an alert after completion: failures are reported in plain
/// words until the peer's first bytes arrive, which it sends only once it has accepted this node.
final class TLSHandshakeReporter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let logger: Logger
    private let direction: String
    /// The host the certificate must name (outgoing connections with host names checked).
    private let expectedHost: String?
    private var completed = false
    /// The peer's first bytes after the TLS handshake arrived: it accepted this node.
    private var accepted = false
    private var reported = false

    init(logger: Logger, direction: String, expectedHost: String?) {
        self.logger = logger
        self.direction = direction
        self.expectedHost = expectedHost
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted(let negotiated) = event {
            completed = true
            if let expectedHost, !hostMatches(expectedHost, context: context) { return }
            logger.debug(
                "TLS established",
                metadata: [
                    "tls.direction": "\(direction)",
                    "tls.peer_address": "\(context.remoteAddress.map { "\($0)" } ?? "?")",
                    "tls.alpn": "\(negotiated ?? "none")",
                ])
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The peer's first bytes: it has accepted this node, and there is nothing left to report, so
    /// the handler leaves the pipeline rather than sit on the path of every frame.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        accepted = true
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !accepted && !reported {
            reported = true
            logger.warning(
                "TLS handshake \(direction) \(context.remoteAddress.map { "\($0)" } ?? "?") failed: \(TLSFailureReason.describe(error))"
            )
        }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !completed && !reported {
            reported = true
            logger.warning(
                "TLS handshake \(direction) \(context.remoteAddress.map { "\($0)" } ?? "?") failed: the connection closed before it completed"
            )
        }
        context.fireChannelInactive()
    }

    private func hostMatches(_ host: String, context: ChannelHandlerContext) -> Bool {
        let certificate = try? context.pipeline.syncOperations.nioSSL_peerCertificate()
        guard let certificate else {
            refuse(TLSTransportError.noPeerCertificate(peer: host), context: context)
            return false
        }
        let (matches, names) = PeerIdentity.check(certificate, host: host)
        guard matches else {
            refuse(
                TLSTransportError.hostNameMismatch(peer: "the node dialled at \(host)", host: host, names: names),
                context: context)
            return false
        }
        return true
    }

    private func refuse(_ error: TLSTransportError, context: ChannelHandlerContext) {
        reported = true
        logger.warning("TLS connection \(direction) \(context.remoteAddress.map { "\($0)" } ?? "?") refused: \(error)")
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }
}
