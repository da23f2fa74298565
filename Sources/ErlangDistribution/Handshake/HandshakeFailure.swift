/// Why a handshake failed, with what a log line needs: the role, the peer, the stage.
public struct HandshakeFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The cause of a failure.
    public enum Reason: Sendable, Hashable {
        /// The peer's digest does not match this node's cookie for it. As acceptor: the challenge
        /// reply was wrong, so nothing more is sent (OTP logs "Connection attempt from node ...
        /// rejected. Invalid challenge reply."). As initiator: the challenge ack was wrong.
        case wrongCookie
        /// The connection is not allowed: the acceptor node refused it (status `not_allowed`).
        case notAllowed
        /// A simultaneous connect was resolved in favour of the other connection (status `nok`).
        case simultaneousConnectLost
        /// The acceptor was already connected (status `alive`) and the initiator answered `false`.
        case duplicateConnectionAbandoned
        /// The peer lacks flags this node requires.
        case missingRequiredFlags(DistributionFlags)
        /// Initiator: the challenge came from a node with another name than the one dialled.
        case unexpectedPeerName(expected: String, actual: String)
        /// The peer's name is not a full node name (`name@host`).
        case invalidPeerName(String, reason: String)
        /// The peer asked for a dynamic name (`DFLAG_NAME_ME`), which Colony does not hand out, or
        /// sent a `named:` status that this node did not ask for.
        case dynamicNameNotSupported
        /// A message could not be decoded.
        case malformedMessage(HandshakeDecodingError)
        /// A well-formed message arrived at a stage where it is not allowed.
        case unexpectedMessage(HandshakeMessage)
        /// The handshake took longer than the shell allows.
        case timedOut
        /// The connection closed before the handshake ended. As initiator while awaiting the
        /// challenge ack, this is how an OTP acceptor answers a wrong cookie.
        case connectionClosed
        /// The connection failed (an I/O error, as the shell reports it).
        case connectionError(String)
    }

    /// The cause.
    public var reason: Reason
    /// The side this node played.
    public var role: HandshakeRole
    /// This node's name.
    public var localName: String
    /// The peer's name, when known (the initiator always knows whom it dialled).
    public var peerName: String?
    /// The stage at which the handshake failed.
    public var stage: HandshakeStage

    /// Creates a failure.
    public init(
        reason: Reason, role: HandshakeRole, localName: String, peerName: String?, stage: HandshakeStage
    ) {
        self.reason = reason
        self.role = role
        self.localName = localName
        self.peerName = peerName
        self.stage = stage
    }

    /// A log line in the spirit of OTP's, naming both nodes, the role, the stage and the cause.
    public var description: String {
        let peer = peerName.map { "node \($0)" } ?? "a node not yet named"
        let attempt =
            role == .acceptor
            ? "connection attempt from \(peer) to \(localName)"
            : "connection attempt from \(localName) to \(peer)"
        return "\(attempt) failed (\(role), \(stage)): \(explanation)"
    }

    private var explanation: String {
        switch reason {
        case .wrongCookie:
            role == .acceptor
                ? "rejected, invalid challenge reply: the peer's cookie differs from this node's cookie for it"
                : "cancelled, invalid challenge ack: the peer's cookie differs from this node's cookie for it"
        case .notAllowed:
            role == .acceptor ? "not allowed by this node (sent not_allowed)" : "the peer answered not_allowed"
        case .simultaneousConnectLost:
            role == .acceptor
                ? "simultaneous connect, this node's own attempt wins (sent nok)"
                : "simultaneous connect, the peer's attempt wins (received nok)"
        case .duplicateConnectionAbandoned:
            "a connection between the nodes already exists and the initiator kept it (alive answered false)"
        case .missingRequiredFlags(let missing):
            "the peer cannot handle \(missing)"
        case .unexpectedPeerName(let expected, let actual):
            "the challenge came from \(actual), not \(expected)"
        case .invalidPeerName(let name, let reason):
            "invalid peer node name \"\(name)\": \(reason)"
        case .dynamicNameNotSupported:
            "dynamic node names (NAME_ME) are not supported"
        case .malformedMessage(let error):
            "malformed message: \(error)"
        case .unexpectedMessage(let message):
            "unexpected message \(message)"
        case .timedOut:
            "timed out"
        case .connectionClosed:
            stage == .awaitingChallengeAck
                ? "the peer closed the connection after the challenge reply (it most likely rejected this node's cookie)"
                : "the connection closed"
        case .connectionError(let error):
            "connection error: \(error)"
        }
    }
}
