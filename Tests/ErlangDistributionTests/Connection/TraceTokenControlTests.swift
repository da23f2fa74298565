import ErlangDistribution
import ErlangTerm
import Testing

/// The `_TT` forms of the control messages: each operation Colony sends with a trace token has
/// OTP's layout, parses back to the same operation and token, and a token that is not a tuple
/// (OTP's `[]` means none) parses as the plain operation.
@Suite("Control messages with trace tokens")
struct TraceTokenControlTests {
    static let a = PID(node: "a@h", id: 1, serial: 0, creation: 1)
    static let b = PID(node: "b@h", id: 2, serial: 0, creation: 1)
    static let ref = Reference(node: "a@h", creation: 1, ids: [1, 2, 3])
    static let token: Term = .tuple([0, .tuple(["colony_trace", .list([])]), 0, .pid(a), 0])

    @Test("each _TT form has OTP's operation number and the token where OTP puts it")
    func layout() {
        let cases: [(ControlMessage, Term)] = [
            (.send(to: Self.b), .tuple([12, "", .pid(Self.b), Self.token])),
            (.registeredSend(from: Self.a, toName: "kv"), .tuple([16, .pid(Self.a), "", "kv", Self.token])),
            (.sendSender(from: Self.a, to: Self.b), .tuple([23, .pid(Self.a), .pid(Self.b), Self.token])),
            (.aliasSend(from: Self.a, alias: Self.ref), .tuple([34, .pid(Self.a), .reference(Self.ref), Self.token])),
            (.exit(from: Self.a, to: Self.b, reason: "x"), .tuple([13, .pid(Self.a), .pid(Self.b), Self.token, "x"])),
            (.exit2(from: Self.a, to: Self.b, reason: "x"), .tuple([18, .pid(Self.a), .pid(Self.b), Self.token, "x"])),
            (.payloadExit(from: Self.a, to: Self.b), .tuple([25, .pid(Self.a), .pid(Self.b), Self.token])),
            (
                .spawnRequest(
                    requestID: Self.ref, from: Self.a, groupLeader: Self.a, module: "m", function: "f", arity: 0,
                    options: .list([])),
                .tuple([
                    30, .reference(Self.ref), .pid(Self.a), .pid(Self.a), .tuple(["m", "f", 0]), .list([]), Self.token,
                ])
            ),
        ]
        for (message, wire) in cases {
            let traced = ControlMessage.traced(message, token: Self.token)
            #expect(traced.term == wire, "\(message)")
            #expect(ControlMessage(wire) == traced, "\(wire) parsed as \(String(describing: ControlMessage(wire)))")
            #expect(traced.hasPayload == message.hasPayload)
            #expect(traced.untraced == message)
        }
    }

    @Test("a token that is not a tuple parses as the plain operation; operations without a _TT form send plain")
    func plain() {
        #expect(ControlMessage(.tuple([12, "", .pid(Self.b), .list([])])) == .send(to: Self.b))
        #expect(
            ControlMessage(.tuple([16, .pid(Self.a), "", "kv", "undefined"]))
                == .registeredSend(from: Self.a, toName: "kv"))
        let link = ControlMessage.traced(.link(from: Self.a, to: Self.b), token: Self.token)
        #expect(link.term == ControlMessage.link(from: Self.a, to: Self.b).term)
    }
}
