public import NIOCore

// The distribution handshake, version 6 (OTP 23 and later), as a pure state machine.
//
// Events in (messages from the peer, the node's decisions, timeouts, the connection closing),
// directives out (send this message, ask the node, completed, failed). No I/O, no clock, no
// randomness: the shell (`HandshakeHandler`) owns the socket and the timer, and passes this
// node's random challenge in when it creates the machine.
//
// Legal transitions (stage: event -> directives -> next stage). Any event not listed for a stage
// fails the handshake (`unexpectedMessage`); every event after `completed` or `failed` is
// ignored. `timedOut`, `connectionClosed` and `connectionFailed` fail any stage that is not final.
//
// Initiator (node A, dials the peer it names):
//   idle:                   start            -> send name 'N'                -> awaitingStatus
//   awaitingStatus:         status ok        ->                              -> awaitingChallenge
//                           ok_simultaneous  ->                              -> awaitingChallenge
//                           alive            -> askAlive                     -> awaitingAliveDecision
//                           nok              -> failed(simultaneousConnectLost)
//                           not_allowed      -> failed(notAllowed)
//                           named:           -> failed(dynamicNameNotSupported)
//   awaitingAliveDecision:  answer true      -> send status true             -> awaitingChallenge
//                           answer false     -> send status false, failed(duplicateConnectionAbandoned)
//   awaitingChallenge:      challenge 'N'    -> send challenge_reply 'r'     -> awaitingChallengeAck
//                             (other name than dialled -> failed(unexpectedPeerName);
//                              required flags missing  -> failed(missingRequiredFlags))
//   awaitingChallengeAck:   challenge_ack    -> completed                    -> completed
//                             (digest wrong -> failed(wrongCookie))
//
// Acceptor (node B):
//   awaitingName:           name 'N' / 'n'   -> askAcceptance                -> awaitingAcceptance
//                             (invalid name           -> failed(invalidPeerName), nothing sent;
//                              NAME_ME                -> send not_allowed, failed(dynamicNameNotSupported);
//                              required flags missing -> send not_allowed, failed(missingRequiredFlags))
//   awaitingAcceptance:     allowed          -> send ok, challenge           -> awaitingChallengeReply (*)
//                           simultaneous, our name smaller
//                                            -> send ok_simultaneous, challenge -> awaitingChallengeReply (*)
//                           simultaneous, our name greater
//                                            -> send nok, failed(simultaneousConnectLost)
//                           alreadyConnected -> send alive                   -> awaitingAliveReply
//                           notAllowed       -> send not_allowed, failed(notAllowed)
//   awaitingAliveReply:     status true      -> send challenge               -> awaitingChallengeReply (*)
//                           status false     -> failed(duplicateConnectionAbandoned)
//   awaitingComplement:     complement 'c'   ->                              -> awaitingChallengeReply
//                             (required flags missing -> failed(missingRequiredFlags))
//   awaitingChallengeReply: challenge_reply  -> send challenge_ack, completed -> completed
//                             (digest wrong -> failed(wrongCookie), nothing sent)
//
//   (*) awaitingComplement instead when the peer sent the old version 5 name 'n'.

/// The distribution handshake of one connection, for either role, as a value type that takes
/// events and returns ``HandshakeDirective``s.
///
/// ```swift
/// var machine = HandshakeStateMachine(initiating: configuration, to: "e1@127.0.0.1", challenge: random)
/// send(machine.start())                       // [.send(.name(...))]
/// send(machine.receive(frame: statusFrame))   // []
/// send(machine.receive(frame: challengeFrame)) // [.send(.challengeReply(...))]
/// send(machine.receive(frame: ackFrame))      // [.completed(result)]
/// ```
public struct HandshakeStateMachine: Sendable {
    /// This node's name, flags, creation and cookies.
    public let configuration: HandshakeConfiguration
    /// The side this node plays.
    public let role: HandshakeRole
    /// Where the handshake stands.
    public private(set) var stage: HandshakeStage
    /// The peer's name: the dialled name for the initiator, the name from `send_name` for the
    /// acceptor (`nil` until then).
    public private(set) var peerName: String?

    private let ownChallenge: UInt32
    private var peerFlags: DistributionFlags = []
    private var peerCreation: UInt32?
    private var peerSentOldName = false
    private var wonSimultaneousConnect = false
    private var replacesExistingConnection = false

    /// A handshake in which this node dials `peerName`.
    ///
    /// - Parameter challenge: this node's challenge for the peer; it must be random (the shell
    ///   draws it from a system random generator).
    public init(initiating configuration: HandshakeConfiguration, to peerName: String, challenge: UInt32) {
        self.configuration = configuration
        self.role = .initiator
        self.stage = .idle
        self.peerName = peerName
        self.ownChallenge = challenge
    }

    /// A handshake in which this node accepted a connection and waits for `send_name`.
    ///
    /// - Parameter challenge: this node's challenge for the peer; it must be random.
    public init(accepting configuration: HandshakeConfiguration, challenge: UInt32) {
        self.configuration = configuration
        self.role = .acceptor
        self.stage = .awaitingName
        self.ownChallenge = challenge
    }

    // MARK: - Events

    /// The connection is open: the initiator sends `send_name`. Nothing for the acceptor, or when
    /// already started.
    public mutating func start() -> [HandshakeDirective] {
        guard role == .initiator, stage == .idle else { return [] }
        stage = .awaitingStatus
        let name = HandshakeMessage.name(
            flags: configuration.localFlags, creation: configuration.localCreation, name: configuration.localName)
        return [.send(name)]
    }

    /// A frame body from the peer: decoded as sent by the other role, then handled as
    /// ``receive(_:)``; a frame that does not decode fails the handshake.
    public mutating func receive(frame: ByteBuffer) -> [HandshakeDirective] {
        guard !stage.isFinal else { return [] }
        do {
            return receive(try HandshakeMessage.decode(frame, sentBy: role.peer))
        } catch {
            return fail(.malformedMessage(error))
        }
    }

    /// A message from the peer.
    public mutating func receive(_ message: HandshakeMessage) -> [HandshakeDirective] {
        switch (stage, message) {
        case (.completed, _), (.failed, _):
            return []
        case (.awaitingStatus, .status(let status)):
            return receiveStatus(status)
        case (.awaitingChallenge, .challenge(let flags, let challenge, let creation, let name)):
            return receiveChallenge(flags: flags, challenge: challenge, creation: creation, name: name)
        case (.awaitingChallengeAck, .challengeAck(let digest)):
            return receiveChallengeAck(digest)
        case (.awaitingName, .name(let flags, let creation, let name)):
            return receiveName(flags: flags, creation: creation, name: name)
        case (.awaitingName, .oldName(_, let flags, let name)):
            peerSentOldName = true
            return receiveName(flags: flags, creation: nil, name: name)
        case (.awaitingAliveReply, .status(.aliveReply(let replace))):
            guard replace else { return fail(.duplicateConnectionAbandoned) }
            replacesExistingConnection = true
            return sendChallenge()
        case (.awaitingComplement, .complement(let flagsHigh, let creation)):
            return receiveComplement(flagsHigh: flagsHigh, creation: creation)
        case (.awaitingChallengeReply, .challengeReply(let challenge, let digest)):
            return receiveChallengeReply(challenge: challenge, digest: digest)
        default:
            return fail(.unexpectedMessage(message))
        }
    }

    /// The node's answer to ``HandshakeDirective/askAcceptance(peerName:flags:creation:)``.
    /// Ignored at any other stage.
    public mutating func acceptanceDecided(_ decision: AcceptanceDecision) -> [HandshakeDirective] {
        guard stage == .awaitingAcceptance, let peerName else { return [] }
        switch decision {
        case .allowed:
            return [.send(.status(.ok))] + sendChallenge()
        case .notAllowed:
            return [.send(.status(.notAllowed))] + fail(.notAllowed)
        case .simultaneous:
            if NodeName.isGreater(configuration.localName, than: peerName) {
                return [.send(.status(.nok))] + fail(.simultaneousConnectLost)
            }
            wonSimultaneousConnect = true
            return [.send(.status(.okSimultaneous))] + sendChallenge()
        case .alreadyConnected:
            stage = .awaitingAliveReply
            return [.send(.status(.alive))]
        }
    }

    /// The node's answer to ``HandshakeDirective/askAlive(peerName:)``: `true` when its old
    /// connection to the peer is stale and this one should replace it. Ignored at any other stage.
    public mutating func aliveAnswered(_ replace: Bool) -> [HandshakeDirective] {
        guard stage == .awaitingAliveDecision else { return [] }
        guard replace else {
            return [.send(.status(.aliveReply(false)))] + fail(.duplicateConnectionAbandoned)
        }
        stage = .awaitingChallenge
        return [.send(.status(.aliveReply(true)))]
    }

    /// The shell's handshake timer fired.
    public mutating func timedOut() -> [HandshakeDirective] {
        stage.isFinal ? [] : fail(.timedOut)
    }

    /// The connection closed (end of stream).
    public mutating func connectionClosed() -> [HandshakeDirective] {
        stage.isFinal ? [] : fail(.connectionClosed)
    }

    /// The connection failed with an I/O error.
    public mutating func connectionFailed(_ description: String) -> [HandshakeDirective] {
        stage.isFinal ? [] : fail(.connectionError(description))
    }

    // MARK: - Initiator

    private mutating func receiveStatus(_ status: HandshakeStatus) -> [HandshakeDirective] {
        switch status {
        case .ok:
            stage = .awaitingChallenge
            return []
        case .okSimultaneous:
            wonSimultaneousConnect = true
            stage = .awaitingChallenge
            return []
        case .alive:
            stage = .awaitingAliveDecision
            return [.askAlive(peerName: peerName ?? "")]
        case .nok:
            return fail(.simultaneousConnectLost)
        case .notAllowed:
            return fail(.notAllowed)
        case .named:
            return fail(.dynamicNameNotSupported)
        case .aliveReply:
            return fail(.unexpectedMessage(.status(status)))
        }
    }

    private mutating func receiveChallenge(
        flags: DistributionFlags, challenge: UInt32, creation: UInt32, name: String
    ) -> [HandshakeDirective] {
        guard name == peerName else { return fail(.unexpectedPeerName(expected: peerName ?? "", actual: name)) }
        let missing = DistributionFlags.missing(configuration.requiredFlags, from: flags)
        guard missing.isEmpty else { return fail(.missingRequiredFlags(missing)) }
        peerFlags = flags
        peerCreation = creation
        stage = .awaitingChallengeAck
        let digest = HandshakeDigest(cookie: configuration.cookie.cookie(for: name), challenge: challenge)
        return [.send(.challengeReply(challenge: ownChallenge, digest: digest))]
    }

    private mutating func receiveChallengeAck(_ digest: HandshakeDigest) -> [HandshakeDirective] {
        guard digest.matches(expectedDigest()) else { return fail(.wrongCookie) }
        return complete()
    }

    // MARK: - Acceptor

    private mutating func receiveName(flags: DistributionFlags, creation: UInt32?, name: String)
        -> [HandshakeDirective]
    {
        peerName = name
        peerFlags = flags
        peerCreation = creation
        if flags.contains(.nameMe) {
            return [.send(.status(.notAllowed))] + fail(.dynamicNameNotSupported)
        }
        if let reason = NodeName.problem(with: name) {
            peerName = nil
            return fail(.invalidPeerName(name, reason: reason))
        }
        // A version 5 name carries only the low 32 flag bits; the rest are checked after the
        // complement, as OTP does.
        let required =
            peerSentOldName
            ? configuration.requiredFlags.intersection(DistributionFlags(rawValue: 0xFFFF_FFFF))
            : configuration.requiredFlags
        let missing = DistributionFlags.missing(required, from: flags)
        guard missing.isEmpty else {
            return [.send(.status(.notAllowed))] + fail(.missingRequiredFlags(missing))
        }
        stage = .awaitingAcceptance
        return [.askAcceptance(peerName: name, flags: flags, creation: creation)]
    }

    private mutating func sendChallenge() -> [HandshakeDirective] {
        stage = peerSentOldName ? .awaitingComplement : .awaitingChallengeReply
        let challenge = HandshakeMessage.challenge(
            flags: configuration.localFlags, challenge: ownChallenge, creation: configuration.localCreation,
            name: configuration.localName)
        return [.send(challenge)]
    }

    private mutating func receiveComplement(flagsHigh: UInt32, creation: UInt32) -> [HandshakeDirective] {
        peerFlags.formUnion(DistributionFlags(rawValue: UInt64(flagsHigh) << 32))
        peerCreation = creation
        let missing = DistributionFlags.missing(configuration.requiredFlags, from: peerFlags)
        guard missing.isEmpty else { return fail(.missingRequiredFlags(missing)) }
        stage = .awaitingChallengeReply
        return []
    }

    private mutating func receiveChallengeReply(challenge: UInt32, digest: HandshakeDigest) -> [HandshakeDirective] {
        guard digest.matches(expectedDigest()) else { return fail(.wrongCookie) }
        let cookie = configuration.cookie.cookie(for: peerName ?? "")
        let ack = HandshakeMessage.challengeAck(digest: HandshakeDigest(cookie: cookie, challenge: challenge))
        return [.send(ack)] + complete()
    }

    // MARK: - Both roles

    /// The digest the peer must send for this node's challenge.
    private func expectedDigest() -> HandshakeDigest {
        HandshakeDigest(cookie: configuration.cookie.cookie(for: peerName ?? ""), challenge: ownChallenge)
    }

    private mutating func complete() -> [HandshakeDirective] {
        stage = .completed
        let result = HandshakeResult(
            role: role, peerName: peerName ?? "", peerCreation: peerCreation ?? 0, peerFlags: peerFlags,
            localFlags: configuration.localFlags, flags: configuration.localFlags.negotiated(with: peerFlags),
            wonSimultaneousConnect: wonSimultaneousConnect, replacesExistingConnection: replacesExistingConnection)
        return [.completed(result)]
    }

    private mutating func fail(_ reason: HandshakeFailure.Reason) -> [HandshakeDirective] {
        let failure = HandshakeFailure(
            reason: reason, role: role, localName: configuration.localName, peerName: peerName, stage: stage)
        stage = .failed
        return [.failed(failure)]
    }
}
