import ErlangDistribution
import NIOCore

/// Two handshake state machines wired to each other in memory, the way two shells over one TCP
/// connection would be: messages go through the real encoder and decoder, a failed side closes
/// the connection after its last messages are delivered.
struct HandshakePair {
    enum Outcome: Equatable {
        case completed(HandshakeResult)
        case failed(HandshakeFailure)

        var result: HandshakeResult? {
            if case .completed(let result) = self { result } else { nil }
        }

        var failure: HandshakeFailure? {
            if case .failed(let failure) = self { failure } else { nil }
        }
    }

    var initiator: HandshakeStateMachine
    var acceptor: HandshakeStateMachine
    var acceptance: (AcceptanceRequest) -> AcceptanceDecision = { _ in .allowed }
    var alive: (String) -> Bool = { _ in true }

    /// Every message sent, in order, with its sender.
    private(set) var transcript: [(sender: HandshakeRole, message: HandshakeMessage)] = []
    private(set) var initiatorOutcome: Outcome?
    private(set) var acceptorOutcome: Outcome?
    private(set) var acceptanceRequests: [AcceptanceRequest] = []
    private var inFlight: [(to: HandshakeRole, frame: ByteBuffer)] = []

    init(
        initiatorName: String = "colony@127.0.0.1", acceptorName: String = "e1@127.0.0.1",
        initiatorFlags: DistributionFlags = .colonyDefault, acceptorFlags: DistributionFlags = .colonyDefault,
        initiatorCookie: HandshakeCookie = .fixed("secret"), acceptorCookie: HandshakeCookie = .fixed("secret"),
        dialledName: String? = nil
    ) throws {
        let initiatorConfiguration = try HandshakeConfiguration(
            localName: initiatorName, localCreation: 11, localFlags: initiatorFlags, cookie: initiatorCookie)
        let acceptorConfiguration = try HandshakeConfiguration(
            localName: acceptorName, localCreation: 22, localFlags: acceptorFlags, cookie: acceptorCookie)
        initiator = HandshakeStateMachine(
            initiating: initiatorConfiguration, to: dialledName ?? acceptorName, challenge: 0x1234_5678)
        acceptor = HandshakeStateMachine(accepting: acceptorConfiguration, challenge: 0x8765_4321)
    }

    /// The messages of the transcript, without senders.
    var messages: [HandshakeMessage] { transcript.map(\.message) }

    /// Runs the handshake to its end.
    mutating func run() {
        apply(initiator.start(), from: .initiator)
        for _ in 0..<100 {
            if !inFlight.isEmpty {
                let (to, frame) = inFlight.removeFirst()
                switch to {
                case .initiator: apply(initiator.receive(frame: frame), from: .initiator)
                case .acceptor: apply(acceptor.receive(frame: frame), from: .acceptor)
                }
            } else if initiatorOutcome?.failure != nil, acceptorOutcome == nil {
                apply(acceptor.connectionClosed(), from: .acceptor)
            } else if acceptorOutcome?.failure != nil, initiatorOutcome == nil {
                apply(initiator.connectionClosed(), from: .initiator)
            } else {
                return
            }
        }
    }

    private mutating func apply(_ directives: [HandshakeDirective], from side: HandshakeRole) {
        for directive in directives {
            switch directive {
            case .send(let message):
                transcript.append((side, message))
                var frame = ByteBuffer()
                message.encodeFrame(into: &frame)
                let body = HandshakeFrameDecoder.nextFrame(from: &frame)!
                inFlight.append((side.peer, body))
            case .askAcceptance(let peerName, let flags, let creation):
                let request = AcceptanceRequest(peerName: peerName, flags: flags, creation: creation)
                acceptanceRequests.append(request)
                apply(acceptor.acceptanceDecided(acceptance(request)), from: .acceptor)
            case .askAlive(let peerName):
                apply(initiator.aliveAnswered(alive(peerName)), from: .initiator)
            case .completed(let result):
                setOutcome(.completed(result), for: side)
            case .failed(let failure):
                setOutcome(.failed(failure), for: side)
            }
        }
    }

    private mutating func setOutcome(_ outcome: Outcome, for side: HandshakeRole) {
        switch side {
        case .initiator: initiatorOutcome = outcome
        case .acceptor: acceptorOutcome = outcome
        }
    }
}
