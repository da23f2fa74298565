// `DistributionFuzz --write-seeds DIR`: seeds made with Colony's own encoders, one file per input,
// each starting with the selector byte of its mode. Fuzz/seeds-distribution/colony-* were written
// by this; the otp-* files beside them were captured from a real OTP node (see Fuzz/README.md).

import ErlangDistribution
import ErlangTerm
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

enum SeedWriter {
    static func writeAll(to directory: String) -> Bool {
        mkdir(directory, 0o755)
        var ok = true
        let seeds = handshakeMessages() + handshakeSequences() + distributionFrames() + epmdMessages()
        for (name, bytes) in seeds {
            let path = "\(directory)/colony-\(name).bin"
            guard let file = fopen(path, "wb") else {
                print("cannot write \(path)")
                ok = false
                continue
            }
            if fwrite(bytes, 1, bytes.count, file) != bytes.count { ok = false }
            fclose(file)
        }
        print("\(seeds.count) seeds written to \(directory)")
        return ok
    }

    static let flags = DistributionFlags.colonyDefault
    static let peerCreation: UInt32 = 0x6600_0002
    static let peerChallenge: UInt32 = 0x1234_5678
    static let goodDigest = HandshakeChecks.expectedDigest
    static let badDigest = HandshakeDigest(cookie: "wrong", challenge: HandshakeChecks.ownChallenge)

    static func bytes(_ buffer: ByteBuffer) -> [UInt8] { Array(buffer.readableBytesView) }

    // MARK: - Mode 0

    static func handshakeMessages() -> [(String, [UInt8])] {
        let peer = HandshakeChecks.peerName
        let messages: [(String, HandshakeMessage)] = [
            ("send-name", .name(flags: flags, creation: peerCreation, name: peer)),
            (
                "send-name-v5",
                .oldName(version: 5, flags: DistributionFlags(rawValue: flags.rawValue & 0xFFFF_FFFF), name: peer)
            ),
            ("status-ok", .status(.ok)),
            ("status-ok-simultaneous", .status(.okSimultaneous)),
            ("status-nok", .status(.nok)),
            ("status-not-allowed", .status(.notAllowed)),
            ("status-alive", .status(.alive)),
            ("status-named", .status(.named(name: "dynamic@127.0.0.1", creation: 7))),
            ("status-true", .status(.aliveReply(true))),
            ("status-false", .status(.aliveReply(false))),
            ("challenge", .challenge(flags: flags, challenge: peerChallenge, creation: peerCreation, name: peer)),
            ("complement", .complement(flagsHigh: UInt32(flags.rawValue >> 32), creation: peerCreation)),
            ("challenge-reply", .challengeReply(challenge: peerChallenge, digest: goodDigest)),
            ("challenge-ack", .challengeAck(digest: goodDigest)),
        ]
        return messages.map { name, message in ("handshake-\(name)", [0x00] + bytes(message.encoded())) }
    }

    // MARK: - Mode 1

    /// The selector of mode 1: the acceptance decision (0 allowed, 1 not allowed, 2 simultaneous,
    /// 3 already connected), the answer to alive, and the ending (0 none, 1 closed, 2 timed out,
    /// 3 failed).
    static func machineSelector(decision: UInt8 = 0, alive: Bool = false, ending: UInt8 = 0) -> UInt8 {
        0x01 | decision << 2 | (alive ? 0x10 : 0) | ending << 5
    }

    static func frames(_ messages: [HandshakeMessage]) -> [UInt8] {
        var buffer = ByteBuffer()
        for message in messages { message.encodeFrame(into: &buffer) }
        return bytes(buffer)
    }

    static func handshakeSequences() -> [(String, [UInt8])] {
        let peer = HandshakeChecks.peerName
        let name = HandshakeMessage.name(flags: flags, creation: peerCreation, name: peer)
        let oldName = HandshakeMessage.oldName(
            version: 5, flags: DistributionFlags(rawValue: flags.rawValue & 0xFFFF_FFFF), name: peer)
        let complement = HandshakeMessage.complement(flagsHigh: UInt32(flags.rawValue >> 32), creation: peerCreation)
        let challenge = HandshakeMessage.challenge(
            flags: flags, challenge: peerChallenge, creation: peerCreation, name: peer)
        let reply = HandshakeMessage.challengeReply(challenge: peerChallenge, digest: goodDigest)
        let ack = HandshakeMessage.challengeAck(digest: goodDigest)
        let sequences: [(String, UInt8, [HandshakeMessage])] = [
            // The initiator's peer speaks: status, challenge, ack.
            ("initiator-ok", machineSelector(), [.status(.ok), challenge, ack]),
            ("initiator-ok-simultaneous", machineSelector(), [.status(.okSimultaneous), challenge, ack]),
            ("initiator-alive-true", machineSelector(alive: true), [.status(.alive), challenge, ack]),
            ("initiator-alive-false", machineSelector(), [.status(.alive), challenge]),
            ("initiator-nok", machineSelector(), [.status(.nok)]),
            ("initiator-named", machineSelector(), [.status(.named(name: "x@127.0.0.1", creation: 1))]),
            ("initiator-wrong-cookie", machineSelector(), [.status(.ok), challenge, .challengeAck(digest: badDigest)]),
            (
                "initiator-wrong-peer", machineSelector(),
                [
                    .status(.ok),
                    .challenge(flags: flags, challenge: peerChallenge, creation: peerCreation, name: "other@127.0.0.1"),
                ]
            ),
            (
                "initiator-missing-flags", machineSelector(),
                [.status(.ok), .challenge(flags: [.handshake23], challenge: 1, creation: 1, name: peer)]
            ),
            ("initiator-closed", machineSelector(ending: 1), [.status(.ok), challenge]),
            // The acceptor's peer speaks: name, [alive answer | complement], reply.
            ("acceptor-ok", machineSelector(), [name, reply]),
            ("acceptor-v5", machineSelector(), [oldName, complement, reply]),
            ("acceptor-simultaneous", machineSelector(decision: 2), [name, reply]),
            ("acceptor-alive", machineSelector(decision: 3), [name, .status(.aliveReply(true)), reply]),
            ("acceptor-alive-false", machineSelector(decision: 3), [name, .status(.aliveReply(false))]),
            ("acceptor-not-allowed", machineSelector(decision: 1), [name]),
            ("acceptor-wrong-cookie", machineSelector(), [name, .challengeReply(challenge: 1, digest: badDigest)]),
            (
                "acceptor-name-me", machineSelector(),
                [.name(flags: flags.union(.nameMe), creation: 1, name: "x@127.0.0.1"), reply]
            ),
            ("acceptor-missing-flags", machineSelector(), [.name(flags: [.handshake23], creation: 1, name: peer)]),
            ("acceptor-bad-name", machineSelector(), [.name(flags: flags, creation: 1, name: "nohost")]),
            ("acceptor-timeout", machineSelector(ending: 2), [name]),
            ("acceptor-after-end", machineSelector(ending: 3), [name, reply, .status(.ok), reply]),
        ]
        return sequences.map { name, selector, messages in ("machine-\(name)", [selector] + frames(messages)) }
    }

    // MARK: - Mode 2

    /// 4-byte framed output of `DistributionOutbound` as the harness's 2-byte framing.
    static func reframe(_ buffer: ByteBuffer) -> [UInt8] {
        var buffer = buffer
        var out: [UInt8] = []
        while let length = buffer.readInteger(as: UInt32.self), let frame = buffer.readBytes(length: Int(length)) {
            precondition(length <= 0xFFFF)
            out += [UInt8(length >> 8), UInt8(length & 0xFF)] + frame
        }
        return out
    }

    static func distributionFrames() -> [(String, [UInt8])] {
        let peer = Atom("peer@127.0.0.1")
        let here = Atom("fuzz@127.0.0.1")
        let from = PID(node: peer, id: 85, serial: 0, creation: peerCreation)
        let to = PID(node: here, id: 42, serial: 1, creation: 0x6600_0001)
        let ref = Reference(node: peer, creation: peerCreation, ids: [0x1_2345, 0xABCD, 0x77])
        let call: Term = .tuple([
            "$gen_call", .tuple([.pid(from), .list([.atom("alias"), .reference(ref)], tail: .reference(ref))]),
            .tuple(["is_auth", .atom(peer)]),
        ])
        let messages: [(String, ControlMessage, Term?)] = [
            ("link", .link(from: from, to: to), nil),
            ("send", .send(to: to), .tuple([.ok, "hello", .string("world"), 1.5, -7, .charlist("abc")])),
            ("exit", .exit(from: from, to: to, reason: "normal"), nil),
            ("unlink", .unlink(from: from, to: to), nil),
            ("reg-send", .registeredSend(from: from, toName: "net_kernel"), call),
            ("group-leader", .groupLeader(from: from, to: to), nil),
            ("exit2", .exit2(from: from, to: to, reason: .tuple(["badarg", .list([])])), nil),
            ("monitor-pid", .monitor(from: from, target: .pid(to), reference: ref), nil),
            ("monitor-name", .monitor(from: from, target: .name("logger"), reference: ref), nil),
            ("demonitor", .demonitor(from: from, target: .pid(to), reference: ref), nil),
            ("monitor-exit", .monitorExit(from: .pid(to), to: from, reference: ref, reason: "noproc"), nil),
            ("send-sender", .sendSender(from: from, to: to), .map(["key": .binary([1, 2, 3]), 1: .list([])])),
            ("payload-exit", .payloadExit(from: from, to: to), .tuple(["shutdown", 1])),
            ("payload-exit2", .payloadExit2(from: from, to: to), "kill"),
            (
                "payload-monitor-exit", .payloadMonitorExit(from: .name("logger"), to: from, reference: ref),
                "noconnection"
            ),
            (
                "spawn-request",
                .spawnRequest(
                    requestID: ref, from: from, groupLeader: from, module: "erlang", function: "apply", arity: 2,
                    options: .list(["link", .tuple(["priority", "high"])])),
                .list([.export(ExportFun(module: "io", function: "format", arity: 2)), .list([.string("hi~n")])])
            ),
            ("spawn-reply", .spawnReply(requestID: ref, to: from, flags: 1, result: .pid(to)), nil),
            ("spawn-reply-error", .spawnReply(requestID: ref, to: from, flags: 0, result: "badarg"), nil),
            ("alias-send", .aliasSend(from: from, alias: ref), .tuple([.reference(ref), "reply"])),
            ("unlink-id", .unlinkID(id: 7, from: from, to: to), nil),
            ("unlink-id-ack", .unlinkIDAck(id: 7, from: to, to: from), nil),
        ]
        var seeds: [(String, [UInt8])] = []
        for (name, control, payload) in messages {
            var outbound = DistributionOutbound()
            var buffer = ByteBuffer()
            try! outbound.write(control, payload: payload, into: &buffer)
            seeds.append(("dist-\(name)", [0x02] + reframe(buffer)))
        }

        // Three messages on one connection: the later ones refer to atoms the first cached.
        do {
            var outbound = DistributionOutbound()
            var buffer = ByteBuffer()
            try! outbound.write(.registeredSend(from: from, toName: "net_kernel"), payload: call, into: &buffer)
            try! outbound.write(.registeredSend(from: from, toName: "net_kernel"), payload: call, into: &buffer)
            DistributionOutbound.writeTick(into: &buffer)
            try! outbound.write(.send(to: to), payload: .tuple([.ok, .atom(peer)]), into: &buffer)
            seeds.append(("dist-atom-cache", [0x02] + reframe(buffer)))
        }
        // A message in three fragments (and the same, re-encoded with small fragments).
        do {
            var outbound = DistributionOutbound(fragmentSize: 1024)
            var buffer = ByteBuffer()
            let big: Term = .tuple(["chunk", .binary(Array(repeating: 0x5A, count: 2500))])
            try! outbound.write(.send(to: to), payload: big, into: &buffer)
            seeds.append(("dist-fragments", [0x02] + reframe(buffer)))
            seeds.append(("dist-fragments-small", [0x06] + reframe(buffer)))
        }
        // An atom longer than 255 bytes: the header's long-atoms flag.
        do {
            var outbound = DistributionOutbound()
            var buffer = ByteBuffer()
            let long = Atom(String(repeating: "\u{3B1}", count: 130))
            try! outbound.write(.send(to: to), payload: .tuple([.atom(long), .atom(long)]), into: &buffer)
            seeds.append(("dist-long-atom", [0x02] + reframe(buffer)))
        }
        // A tick, and PASS_THROUGH (112): no distribution header, each term with its version byte.
        seeds.append(("dist-tick", [0x02, 0x00, 0x00]))
        do {
            let control = try! ETF.encode(ControlMessage.send(to: to).term)
            let payload = try! ETF.encode(.tuple(["passed", .integer(1 << 40)]))
            let frame = [112] + control + payload
            seeds.append(("dist-pass-through", [0x0A, UInt8(frame.count >> 8), UInt8(frame.count & 0xFF)] + frame))
        }
        return seeds
    }

    // MARK: - Mode 3

    static func epmdMessages() -> [(String, [UInt8])] {
        let node = EPMDNodeInfo(name: "peer", port: 45_678, extra: [])
        var seeds: [(String, [UInt8])] = []
        func add(_ name: String, _ write: (inout ByteBuffer) -> Void) {
            var buffer = ByteBuffer()
            write(&buffer)
            seeds.append(("epmd-\(name)", [0x03] + bytes(buffer)))
        }
        add("alive2-req") { EPMDRequest.alive2(node).encode(into: &$0) }
        add("alive2-req-hidden") {
            EPMDRequest.alive2(
                EPMDNodeInfo(
                    name: "c1", port: 1234, nodeType: .hidden, highestVersion: 6, lowestVersion: 5, extra: [1, 2])
            ).encode(into: &$0)
        }
        add("port-please2-req") { EPMDRequest.portPlease2(name: "peer").encode(into: &$0) }
        add("names-req") { EPMDRequest.names.encode(into: &$0) }
        add("requests") {
            EPMDRequest.alive2(node).encode(into: &$0)
            EPMDRequest.names.encode(into: &$0)
            EPMDRequest.portPlease2(name: "peer").encode(into: &$0)
        }
        add("alive2-x-resp") {
            EPMDAlive2Response(result: 0, creation: peerCreation, format: .extended).encode(into: &$0)
        }
        add("alive2-resp") { EPMDAlive2Response(result: 0, creation: 3, format: .legacy).encode(into: &$0) }
        add("alive2-x-resp-taken") { EPMDAlive2Response(result: 1, creation: 99, format: .extended).encode(into: &$0) }
        add("port2-resp") { EPMDPort2Response.found(node).encode(into: &$0) }
        add("port2-resp-extra") {
            EPMDPort2Response.found(EPMDNodeInfo(name: "\u{3B1}\u{3B2}", port: 9, extra: [0, 1, 2, 3])).encode(
                into: &$0)
        }
        add("port2-resp-not-found") { EPMDPort2Response.notFound(result: 1).encode(into: &$0) }
        add("names-resp") {
            EPMDNamesResponse(epmdPort: 4369, entries: [.init(name: "peer", port: 45_678), .init(name: "x", port: 1)])
                .encode(into: &$0)
        }
        add("names-resp-empty") { EPMDNamesResponse(epmdPort: 4369, entries: []).encode(into: &$0) }
        return seeds
    }
}
