// Modes 0 and 1: handshake messages and the handshake state machine.

import ErlangDistribution
import NIOCore

enum HandshakeChecks {
    /// This node's fixed challenge, in both roles.
    static let ownChallenge: UInt32 = 0x5EED_CAFE
    /// The cookie both sides use.
    static let cookie = "fuzzcookie"
    /// The node the initiator dials.
    static let peerName = "peer@127.0.0.1"
    /// This node.
    static let configuration: HandshakeConfiguration = {
        do {
            return try HandshakeConfiguration(
                localName: "fuzz@127.0.0.1", localCreation: 0x6600_0001, cookie: .fixed(cookie))
        } catch {
            fatalError("DistributionFuzz: bad configuration: \(error)")
        }
    }()
    /// The digest a peer that knows the cookie sends for ``ownChallenge``.
    static let expectedDigest = HandshakeDigest(cookie: cookie, challenge: ownChallenge)

    // MARK: - Mode 0: messages

    /// Decodes `body` as sent by each role; a message that decodes must re-encode to bytes that
    /// decode to the same message, encode the same again, and survive 2-byte framing.
    static func checkMessage(_ body: ByteBuffer) {
        checkFraming(body)
        for role in [HandshakeRole.initiator, .acceptor] {
            let message: HandshakeMessage
            do {
                message = try HandshakeMessage.decode(body, sentBy: role)
            } catch {
                _ = error.description
                continue
            }
            _ = message.description
            checkRoundTrip(message, sentBy: role, what: "a decoded message")
        }
    }

    /// `message`, encoded, decodes as sent by `role` to itself; its encoding is stable and its
    /// frame gives its body back.
    static func checkRoundTrip(_ message: HandshakeMessage, sentBy role: HandshakeRole, what: String) {
        let encoded = message.encoded()
        let again: HandshakeMessage
        do {
            again = try HandshakeMessage.decode(encoded, sentBy: role)
        } catch {
            fail(
                "\(what) from the \(role) does not decode after encoding: \(error)\nmessage: \(message)\n"
                    + "encoded: \(hex(encoded))")
        }
        guard again == message else {
            fail(
                "\(what) from the \(role) decodes to another message after encoding\nfirst:  \(message)\n"
                    + "second: \(again)\nencoded: \(hex(encoded))")
        }
        let reencoded = again.encoded()
        guard reencoded == encoded else {
            fail("handshake encoding is not stable: \(hex(encoded)) then \(hex(reencoded))")
        }
        var framed = ByteBuffer()
        message.encodeFrame(into: &framed)
        guard let frame = HandshakeFrameDecoder.nextFrame(from: &framed), frame == encoded, framed.readableBytes == 0
        else {
            fail("the frame of \(message) does not give its body back: \(hex(framed))")
        }
        var framedForTLS = ByteBuffer()
        message.encodeFrame(into: &framedForTLS, framing: .fourByteLength)
        guard let tlsFrame = try? HandshakeFrameDecoder.nextFrame(from: &framedForTLS, framing: .fourByteLength),
            tlsFrame == encoded, framedForTLS.readableBytes == 0
        else {
            fail("the 4-byte frame of \(message) does not give its body back: \(hex(framedForTLS))")
        }
    }

    /// Splits `input` into frames with each framing, as a peer's bytes would be: every frame
    /// taken consumes exactly its prefix and body, and a 4-byte length over the handshake's
    /// largest message is refused rather than waited for.
    static func checkFraming(_ input: ByteBuffer) {
        for framing in [HandshakeFraming.twoByteLength, .fourByteLength] {
            var stream = input
            while stream.readableBytes > 0 {
                let before = stream.readableBytes
                let frame: ByteBuffer?
                do {
                    frame = try HandshakeFrameDecoder.nextFrame(from: &stream, framing: framing)
                } catch {
                    guard framing == .fourByteLength, stream.readableBytes == before else {
                        fail("a \(framing) frame was refused after consuming input, or with 2-byte lengths: \(error)")
                    }
                    break
                }
                guard let frame else {
                    guard stream.readableBytes == before else { fail("an incomplete \(framing) frame consumed input") }
                    break
                }
                guard frame.readableBytes <= HandshakeMessage.maximumBodyLength,
                    before - stream.readableBytes == framing.prefixLength + frame.readableBytes
                else {
                    fail("a \(framing) frame of \(frame.readableBytes) bytes consumed \(before - stream.readableBytes)")
                }
            }
        }
    }

    // MARK: - Mode 1: state machines

    /// How the harness answers the machine's questions and ends the handshake, from the selector.
    struct MachineOptions {
        /// The acceptor's answer to `askAcceptance` (selector bits 2–3).
        var decision: AcceptanceDecision
        /// The initiator's answer to `askAlive` (selector bit 4).
        var aliveAnswer: Bool
        /// What happens after the last frame (selector bits 5–6): nothing, the connection closes,
        /// the timer fires, or the connection fails.
        var ending: UInt8

        init(selector: UInt8) {
            decision = [.allowed, .notAllowed, .simultaneous, .alreadyConnected][Int(selector >> 2 & 0x03)]
            aliveAnswer = selector & 0x10 != 0
            ending = selector >> 5 & 0x03
        }
    }

    /// Feeds `frames` to an initiating and to an accepting machine.
    static func checkStateMachines(_ frames: [ByteBuffer], options: MachineOptions) {
        var initiator = HandshakeStateMachine(initiating: configuration, to: peerName, challenge: ownChallenge)
        drive(&initiator, frames: frames, options: options)
        var acceptor = HandshakeStateMachine(accepting: configuration, challenge: ownChallenge)
        drive(&acceptor, frames: frames, options: options)
    }

    /// The stages a machine may rest in between frames once the harness has answered its
    /// questions: a final stage, or waiting for the peer.
    static func isResting(_ stage: HandshakeStage, role: HandshakeRole) -> Bool {
        switch (role, stage) {
        case (_, .completed), (_, .failed): true
        case (.initiator, .awaitingStatus), (.initiator, .awaitingChallenge), (.initiator, .awaitingChallengeAck):
            true
        case (.acceptor, .awaitingName), (.acceptor, .awaitingAliveReply), (.acceptor, .awaitingComplement),
            (.acceptor, .awaitingChallengeReply):
            true
        default: false
        }
    }

    static func drive(_ machine: inout HandshakeStateMachine, frames: [ByteBuffer], options: MachineOptions) {
        let role = machine.role
        if role == .initiator {
            let directives = machine.start()
            guard directives.count == 1, case .send(let name) = directives[0], case .name = name,
                machine.stage == .awaitingStatus
            else {
                fail("the initiator starts with \(directives) at \(machine.stage)")
            }
            checkRoundTrip(name, sentBy: role, what: "a message the initiator sends")
            let again = machine.start()
            guard again.isEmpty else { fail("the initiator starts twice: \(again)") }
        }
        for (index, frame) in frames.enumerated() {
            let before = machine.stage
            let directives = machine.receive(frame: frame)
            if before.isFinal {
                guard directives.isEmpty, machine.stage == before else {
                    fail("the \(role) answers frame \(index) after it ended (\(before)): \(directives)")
                }
                continue
            }
            handle(&machine, directives, options: options, frame: frame, stageBefore: before, index: index)
            guard isResting(machine.stage, role: role) else {
                fail("the \(role) rests at \(machine.stage) after frame \(index)")
            }
        }
        let before = machine.stage
        let ending: [HandshakeDirective]
        switch options.ending {
        case 1: ending = machine.connectionClosed()
        case 2: ending = machine.timedOut()
        case 3: ending = machine.connectionFailed("fuzz")
        default: ending = []
        }
        handle(&machine, ending, options: options, frame: nil, stageBefore: before, index: frames.count)
        if options.ending != 0 {
            guard machine.stage.isFinal, before.isFinal || machine.stage == .failed else {
                fail("the \(role) is at \(machine.stage) after the connection ended (ending \(options.ending))")
            }
            if before.isFinal, !ending.isEmpty { fail("the \(role) answers the end after it ended: \(ending)") }
        }
        guard isResting(machine.stage, role: role) else {
            fail("the \(role) ends at \(machine.stage)")
        }
    }

    /// Checks the directives of one event and answers the machine's questions.
    static func handle(
        _ machine: inout HandshakeStateMachine, _ directives: [HandshakeDirective], options: MachineOptions,
        frame: ByteBuffer?, stageBefore: HandshakeStage, index: Int
    ) {
        let role = machine.role
        var queue = directives
        var position = 0
        while position < queue.count {
            let directive = queue[position]
            position += 1
            let isLast = position == queue.count
            switch directive {
            case .send(let message):
                checkRoundTrip(message, sentBy: role, what: "a message the \(role) sends")
            case .askAcceptance(let name, _, _):
                guard role == .acceptor, machine.stage == .awaitingAcceptance, isLast, name == machine.peerName
                else {
                    fail("askAcceptance(\(name)) from the \(role) at \(machine.stage) (frame \(index)): \(queue)")
                }
                queue += machine.acceptanceDecided(options.decision)
            case .askAlive(let name):
                guard role == .initiator, machine.stage == .awaitingAliveDecision, isLast, name == peerName else {
                    fail("askAlive(\(name)) from the \(role) at \(machine.stage) (frame \(index)): \(queue)")
                }
                queue += machine.aliveAnswered(options.aliveAnswer)
            case .completed(let result):
                guard isLast, machine.stage == .completed, result.role == role else {
                    fail("completed from the \(role) at \(machine.stage) (frame \(index)): \(queue)")
                }
                // The one property that matters most: no completion without proof of the cookie.
                guard let frame, provesCookie(frame, to: role, stage: stageBefore) else {
                    fail(
                        "the \(role) completed (frame \(index), from \(stageBefore)) without the peer proving the cookie"
                    )
                }
                if role == .initiator, result.peerName != peerName {
                    fail("the initiator completed with \(result.peerName), not \(peerName)")
                }
                _ = result.description
            case .failed(let failure):
                guard isLast, machine.stage == .failed, failure.role == role else {
                    fail("failed from the \(role) at \(machine.stage) (frame \(index)): \(queue)")
                }
                _ = failure.description
            }
        }
    }

    /// Whether `frame`, received at `stage`, is the peer's digest of this node's challenge made
    /// with the cookie: the only frame that may complete a handshake.
    static func provesCookie(_ frame: ByteBuffer, to role: HandshakeRole, stage: HandshakeStage) -> Bool {
        switch (role, stage, try? HandshakeMessage.decode(frame, sentBy: role.peer)) {
        case (.initiator, .awaitingChallengeAck, .challengeAck(let digest)?):
            digest.matches(expectedDigest)
        case (.acceptor, .awaitingChallengeReply, .challengeReply(_, let digest)?):
            digest.matches(expectedDigest)
        default:
            false
        }
    }
}
