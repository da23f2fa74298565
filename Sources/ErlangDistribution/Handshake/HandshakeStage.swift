/// Where a handshake stands: the state of ``HandshakeStateMachine`` without its data. The legal
/// transitions are listed at the top of `HandshakeStateMachine.swift`.
public enum HandshakeStage: Sendable, Hashable, CustomStringConvertible {
    /// Initiator before ``HandshakeStateMachine/start()``.
    case idle
    /// Initiator: `send_name` sent, waiting for the status.
    case awaitingStatus
    /// Initiator: status `alive` received, waiting for the node's answer.
    case awaitingAliveDecision
    /// Initiator: status accepted, waiting for the challenge.
    case awaitingChallenge
    /// Initiator: challenge reply sent, waiting for the challenge acknowledgement.
    case awaitingChallengeAck
    /// Acceptor: waiting for `send_name`.
    case awaitingName
    /// Acceptor: `send_name` received, waiting for the node's acceptance decision.
    case awaitingAcceptance
    /// Acceptor: status `alive` sent, waiting for the initiator's `true` or `false`.
    case awaitingAliveReply
    /// Acceptor: challenge sent to a version 5 initiator, waiting for its complement.
    case awaitingComplement
    /// Acceptor: challenge sent, waiting for the challenge reply.
    case awaitingChallengeReply
    /// Both: the handshake succeeded (final).
    case completed
    /// Both: the handshake failed (final).
    case failed

    /// Whether the handshake has ended, one way or the other.
    public var isFinal: Bool { self == .completed || self == .failed }

    public var description: String {
        switch self {
        case .idle: "idle"
        case .awaitingStatus: "awaiting status"
        case .awaitingAliveDecision: "awaiting the node's answer to alive"
        case .awaitingChallenge: "awaiting challenge"
        case .awaitingChallengeAck: "awaiting challenge ack"
        case .awaitingName: "awaiting send_name"
        case .awaitingAcceptance: "awaiting the node's acceptance decision"
        case .awaitingAliveReply: "awaiting the answer to alive"
        case .awaitingComplement: "awaiting complement"
        case .awaitingChallengeReply: "awaiting challenge reply"
        case .completed: "completed"
        case .failed: "failed"
        }
    }
}
