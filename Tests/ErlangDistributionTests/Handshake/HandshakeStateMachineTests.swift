import ErlangDistribution
import NIOCore
import Testing

@Suite("Handshake: state machine, both roles wired together")
struct HandshakeStateMachineTests {
    @Test("a handshake between two Colony nodes completes on both sides")
    func success() throws {
        var pair = try HandshakePair()
        pair.run()
        let initiator = try #require(pair.initiatorOutcome?.result)
        let acceptor = try #require(pair.acceptorOutcome?.result)
        #expect(initiator.peerName == "e1@127.0.0.1")
        #expect(initiator.peerCreation == 22)
        #expect(initiator.role == .initiator)
        #expect(acceptor.peerName == "colony@127.0.0.1")
        #expect(acceptor.peerCreation == 11)
        #expect(initiator.flags == DistributionFlags.colonyDefault)
        #expect(acceptor.flags == initiator.flags)
        #expect(initiator.isPublished)
        #expect(!initiator.wonSimultaneousConnect && !acceptor.replacesExistingConnection)
        #expect(pair.initiator.stage == .completed && pair.acceptor.stage == .completed)
        #expect(
            pair.acceptanceRequests == [
                AcceptanceRequest(peerName: "colony@127.0.0.1", flags: .colonyDefault, creation: 11)
            ])

        let expected: [HandshakeMessage] = [
            .name(flags: .colonyDefault, creation: 11, name: "colony@127.0.0.1"),
            .status(.ok),
            .challenge(flags: .colonyDefault, challenge: 0x8765_4321, creation: 22, name: "e1@127.0.0.1"),
            .challengeReply(
                challenge: 0x1234_5678, digest: HandshakeDigest(cookie: "secret", challenge: 0x8765_4321)),
            .challengeAck(digest: HandshakeDigest(cookie: "secret", challenge: 0x1234_5678)),
        ]
        #expect(pair.messages == expected)
        #expect(pair.transcript.map(\.sender) == [.initiator, .acceptor, .acceptor, .initiator, .acceptor])
    }

    @Test("a hidden node makes the connection hidden on both sides")
    func hidden() throws {
        var pair = try HandshakePair(initiatorFlags: .colonyHidden)
        pair.run()
        #expect(pair.initiatorOutcome?.result?.isPublished == false)
        #expect(pair.acceptorOutcome?.result?.isPublished == false)
    }

    @Test("a wrong cookie is refused: the acceptor sends nothing more, the initiator sees the connection close")
    func wrongCookie() throws {
        var pair = try HandshakePair(initiatorCookie: .fixed("wrong"))
        pair.run()
        let acceptor = try #require(pair.acceptorOutcome?.failure)
        #expect(acceptor.reason == .wrongCookie)
        #expect(acceptor.stage == .awaitingChallengeReply)
        #expect(acceptor.peerName == "colony@127.0.0.1")
        #expect(acceptor.description.contains("colony@127.0.0.1"))
        #expect(acceptor.description.contains("invalid challenge reply"))
        let initiator = try #require(pair.initiatorOutcome?.failure)
        #expect(initiator.reason == .connectionClosed)
        #expect(initiator.stage == .awaitingChallengeAck)
        #expect(pair.transcript.last?.sender == .initiator)
        #expect(!pair.messages.contains { if case .challengeAck = $0 { true } else { false } })
    }

    @Test("the initiator refuses a challenge ack made with another cookie")
    func wrongAck() throws {
        var pair = try HandshakePair()
        _ = pair.initiator.start()
        _ = pair.initiator.receive(.status(.ok))
        let reply = pair.initiator.receive(
            .challenge(flags: .colonyDefault, challenge: 7, creation: 1, name: "e1@127.0.0.1"))
        #expect(
            reply == [
                .send(.challengeReply(challenge: 0x1234_5678, digest: HandshakeDigest(cookie: "secret", challenge: 7)))
            ])
        let directives = pair.initiator.receive(
            .challengeAck(digest: HandshakeDigest(cookie: "other", challenge: 0x1234_5678)))
        guard case .failed(let failure) = directives.first else {
            Issue.record("expected a failure, got \(directives)")
            return
        }
        #expect(failure.reason == .wrongCookie)
        #expect(failure.description.contains("invalid challenge ack"))
    }

    @Test("cookies can differ per peer")
    func perNodeCookie() throws {
        let cookies = ["colony@127.0.0.1": "for-colony", "other@host": "for-other"]
        var pair = try HandshakePair(
            initiatorCookie: .fixed("for-colony"), acceptorCookie: .perNode { cookies[$0] ?? "default" })
        pair.run()
        #expect(pair.initiatorOutcome?.result != nil)
        #expect(pair.acceptorOutcome?.result != nil)
    }

    @Test("an initiator without the required flags is refused with not_allowed")
    func initiatorMissingFlags() throws {
        var pair = try HandshakePair(initiatorFlags: DistributionFlags.colonyDefault.subtracting([.unlinkID, .spawn]))
        pair.run()
        #expect(pair.acceptorOutcome?.failure?.reason == .missingRequiredFlags(.unlinkID))
        #expect(pair.initiatorOutcome?.failure?.reason == .notAllowed)
        #expect(pair.messages.last == .status(.notAllowed))
        #expect(pair.acceptanceRequests.isEmpty)
    }

    @Test("an acceptor without the required flags is refused by the initiator")
    func acceptorMissingFlags() throws {
        let flags = DistributionFlags.colonyDefault.subtracting([.mandatory25Digest, .mapTag, .v4NodeContainers])
        var pair = try HandshakePair(acceptorFlags: flags)
        pair.run()
        #expect(pair.initiatorOutcome?.failure?.reason == .missingRequiredFlags([.mapTag, .v4NodeContainers]))
        #expect(pair.initiatorOutcome?.failure?.stage == .awaitingChallenge)
        #expect(pair.acceptorOutcome?.failure?.reason == .connectionClosed)
    }

    @Test("MANDATORY_25_DIGEST alone stands for the OTP 25 mandatory flags")
    func digestFlagSuffices() throws {
        let flags: DistributionFlags = [.mandatory25Digest, .handshake23, .v4NodeContainers, .unlinkID, .published]
        var pair = try HandshakePair(initiatorFlags: flags)
        pair.run()
        let result = try #require(pair.acceptorOutcome?.result)
        #expect(result.flags.isSuperset(of: .required))
        #expect(result.peerFlags == flags)
    }

    @Test("not_allowed: the node refuses, both sides fail")
    func notAllowed() throws {
        var pair = try HandshakePair()
        pair.acceptance = { _ in .notAllowed }
        pair.run()
        #expect(pair.acceptorOutcome?.failure?.reason == .notAllowed)
        #expect(pair.initiatorOutcome?.failure?.reason == .notAllowed)
        #expect(pair.initiatorOutcome?.failure?.stage == .awaitingStatus)
        #expect(pair.messages.count == 2)
    }

    @Test("simultaneous connect: the acceptor with the greater name answers nok and keeps its own attempt")
    func simultaneousAcceptorWins() throws {
        var pair = try HandshakePair(initiatorName: "alpha@host", acceptorName: "beta@host")
        pair.acceptance = { _ in .simultaneous }
        pair.run()
        #expect(pair.messages.last == .status(.nok))
        #expect(pair.acceptorOutcome?.failure?.reason == .simultaneousConnectLost)
        #expect(pair.initiatorOutcome?.failure?.reason == .simultaneousConnectLost)
    }

    @Test("simultaneous connect: the acceptor with the smaller name answers ok_simultaneous and continues")
    func simultaneousInitiatorWins() throws {
        var pair = try HandshakePair(initiatorName: "beta@host", acceptorName: "alpha@host")
        pair.acceptance = { _ in .simultaneous }
        pair.run()
        #expect(pair.messages[1] == .status(.okSimultaneous))
        #expect(pair.initiatorOutcome?.result?.wonSimultaneousConnect == true)
        #expect(pair.acceptorOutcome?.result?.wonSimultaneousConnect == true)
    }

    @Test("names compare as Erlang atoms: by character, not by length")
    func simultaneousOrdering() throws {
        var pair = try HandshakePair(initiatorName: "b@h", acceptorName: "aaaa@h")
        pair.acceptance = { _ in .simultaneous }
        pair.run()
        #expect(pair.messages[1] == .status(.okSimultaneous))
    }

    @Test("alive answered true: the new connection replaces the old one")
    func aliveReplace() throws {
        var pair = try HandshakePair()
        pair.acceptance = { _ in .alreadyConnected }
        pair.alive = { _ in true }
        pair.run()
        #expect(pair.messages[1] == .status(.alive))
        #expect(pair.messages[2] == .status(.aliveReply(true)))
        #expect(pair.acceptorOutcome?.result?.replacesExistingConnection == true)
        #expect(pair.initiatorOutcome?.result != nil)
    }

    @Test("alive answered false: both sides give up")
    func aliveAbandon() throws {
        var pair = try HandshakePair()
        pair.acceptance = { _ in .alreadyConnected }
        pair.alive = { _ in false }
        pair.run()
        #expect(pair.messages.last == .status(.aliveReply(false)))
        #expect(pair.initiatorOutcome?.failure?.reason == .duplicateConnectionAbandoned)
        #expect(pair.acceptorOutcome?.failure?.reason == .duplicateConnectionAbandoned)
    }

    @Test("the initiator refuses a challenge from another node than it dialled")
    func unexpectedPeerName() throws {
        var pair = try HandshakePair(dialledName: "e2@127.0.0.1")
        pair.run()
        #expect(
            pair.initiatorOutcome?.failure?.reason
                == .unexpectedPeerName(expected: "e2@127.0.0.1", actual: "e1@127.0.0.1"))
    }

    @Test("an old version 5 send_name with HANDSHAKE_23 is answered, completed by the complement")
    func oldSendName() throws {
        let pair = try HandshakePair()
        var acceptor = pair.acceptor
        let flags = DistributionFlags.colonyDefault
        let low = DistributionFlags(rawValue: flags.rawValue & 0xFFFF_FFFF)
        let asked = acceptor.receive(.oldName(version: 5, flags: low, name: "old@host"))
        #expect(asked == [.askAcceptance(peerName: "old@host", flags: low, creation: nil)])
        let sent = acceptor.acceptanceDecided(.allowed)
        #expect(sent.count == 2)
        #expect(sent.first == .send(.status(.ok)))
        #expect(acceptor.stage == .awaitingComplement)
        #expect(acceptor.receive(.complement(flagsHigh: UInt32(flags.rawValue >> 32), creation: 77)) == [])
        let reply = HandshakeMessage.challengeReply(
            challenge: 5, digest: HandshakeDigest(cookie: "secret", challenge: 0x8765_4321))
        let done = acceptor.receive(reply)
        #expect(done.count == 2)
        guard case .completed(let result) = done.last else {
            Issue.record("expected completion, got \(done)")
            return
        }
        #expect(result.peerCreation == 77)
        #expect(result.peerFlags == flags)
    }

    @Test("an old version 5 send_name without HANDSHAKE_23 is refused")
    func oldSendNameWithoutVersion6() throws {
        var acceptor = try HandshakePair().acceptor
        let directives = acceptor.receive(
            .oldName(version: 5, flags: .mandatory25.subtracting(.handshake23), name: "r16@host"))
        #expect(directives.first == .send(.status(.notAllowed)))
        guard case .failed(let failure) = directives.last else {
            Issue.record("expected a failure, got \(directives)")
            return
        }
        // UNLINK_ID is a low bit too, so a version 5 name must carry it as well.
        #expect(failure.reason == .missingRequiredFlags([.handshake23, .unlinkID]))
    }

    @Test("invalid peer names, NAME_ME and out-of-order messages fail the acceptor")
    func acceptorRejections() throws {
        let fresh = try HandshakePair().acceptor
        var acceptor = fresh
        let invalid = acceptor.receive(.name(flags: .colonyDefault, creation: 1, name: "nohost"))
        #expect(invalid.count == 1)
        if case .failed(let failure) = invalid.first {
            #expect(failure.reason == .invalidPeerName("nohost", reason: "not of the form name@host"))
        } else {
            Issue.record("expected a failure, got \(invalid)")
        }

        acceptor = fresh
        let nameMe = acceptor.receive(
            .name(flags: DistributionFlags.colonyDefault.union(.nameMe), creation: 0, name: "host"))
        #expect(nameMe.first == .send(.status(.notAllowed)))
        #expect(acceptor.stage == .failed)

        acceptor = fresh
        let early = acceptor.receive(.challengeReply(challenge: 1, digest: HandshakeDigest(cookie: "", challenge: 1)))
        if case .failed(let failure) = early.first, case .unexpectedMessage = failure.reason {
            #expect(failure.stage == .awaitingName)
        } else {
            Issue.record("expected unexpectedMessage, got \(early)")
        }
    }

    @Test("malformed frames, timeouts and closed connections fail; later events are ignored")
    func failuresAndFinality() throws {
        var initiator = try HandshakePair().initiator
        #expect(initiator.acceptanceDecided(.allowed) == [])
        _ = initiator.start()
        #expect(initiator.start() == [])
        let malformed = initiator.receive(frame: ByteBuffer(bytes: Array("smaybe".utf8)))
        if case .failed(let failure) = malformed.first {
            #expect(failure.reason == .malformedMessage(.unknownStatus("maybe")))
        } else {
            Issue.record("expected a failure, got \(malformed)")
        }
        #expect(initiator.receive(.status(.ok)) == [])
        #expect(initiator.timedOut() == [])

        var acceptor = try HandshakePair().acceptor
        if case .failed(let failure) = acceptor.timedOut().first {
            #expect(failure.reason == .timedOut)
            #expect(failure.peerName == nil)
        } else {
            Issue.record("expected a timeout failure")
        }
        #expect(acceptor.connectionClosed() == [])
    }

    @Test("configurations reject invalid local names and flags")
    func configuration() {
        #expect(throws: HandshakeConfigurationError.self) {
            try HandshakeConfiguration(localName: "nohost", localCreation: 1, cookie: .fixed("c"))
        }
        #expect(throws: HandshakeConfigurationError.self) {
            try HandshakeConfiguration(localName: "a@b@c", localCreation: 1, cookie: .fixed("c"))
        }
        #expect(throws: HandshakeConfigurationError.self) {
            try HandshakeConfiguration(localName: "@host", localCreation: 1, cookie: .fixed("c"))
        }
        #expect(throws: HandshakeConfigurationError.self) {
            try HandshakeConfiguration(
                localName: "a@b", localCreation: 1, localFlags: .colonyDefault.subtracting(.handshake23),
                cookie: .fixed("c"))
        }
    }
}
