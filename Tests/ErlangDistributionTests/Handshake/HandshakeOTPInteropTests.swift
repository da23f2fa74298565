import ColonyTestSupport
import ErlangDistribution
import NIOCore
import NIOPosix
import Testing

/// The handshake against a real Erlang/OTP node (the conformance oracle), in both roles.
///
/// Each test starts its own `epmd` on a free loopback port and an `erl` node listening on a known
/// free port, and stops both by PID. Without Erlang/OTP installed these tests fail, not skip.
@Suite("Handshake: interop with a real OTP node", .serialized)
struct HandshakeOTPInteropTests {
    typealias Support = HandshakeTestSupport

    /// Prints whether (and which) `colony@127.0.0.1` connection `erl` sees, waiting up to 15 s.
    static let waitForColony = """
        Wait = fun W(0) -> io:format("COLONY_NOT_CONNECTED ~p~n", [nodes(connected)]); \
        W(N) -> case lists:member('colony@127.0.0.1', nodes(connected)) of \
        true -> io:format("COLONY_CONNECTED ~p ~p~n", [nodes(connected), nodes()]); \
        false -> timer:sleep(50), W(N - 1) end end, \
        io:format("ERL_READY~n"), Wait(300).
        """

    /// Connects to `colony@127.0.0.1` and prints the result.
    static let connectToColony = """
        R = net_kernel:connect_node('colony@127.0.0.1'), \
        io:format("CONNECT_RESULT ~p ~p~n", [R, nodes(connected)]).
        """

    @Test("Colony as initiator: OTP accepts the handshake and lists colony@127.0.0.1", .timeLimit(.minutes(1)))
    func colonyInitiates() async throws {
        let peer = try await OTPPeer()
        defer { peer.stop() }
        try await peer.start(name: "e1@127.0.0.1", cookie: "secret", eval: Self.waitForColony)

        let configuration = try Support.configuration("colony@127.0.0.1", cookie: "secret")
        let (channel, future) = try await Support.connect(
            port: Int(peer.distributionPort), configuration: configuration, peerName: "e1@127.0.0.1")
        defer { channel.close(promise: nil) }
        let result = try await Support.withTimeout(.seconds(10), "the handshake with erl") {
            try await future.get()
        }

        #expect(result.peerName == "e1@127.0.0.1")
        #expect(result.peerCreation != 0)
        #expect(DistributionFlags.missing(.required, from: result.peerFlags).isEmpty)
        #expect(result.flags.isSuperset(of: .required))
        #expect(result.isPublished)
        print(
            "Colony sent flags 0x\(String(DistributionFlags.colonyDefault.rawValue, radix: 16)) \(DistributionFlags.colonyDefault)"
        )
        print("OTP sent flags 0x\(String(result.peerFlags.rawValue, radix: 16)) \(result.peerFlags)")
        print("negotiated 0x\(String(result.flags.rawValue, radix: 16)) \(result.flags)")

        let seen = await peer.waitForOutput(containing: "COLONY_CONNECTED")
        #expect(seen, "erl did not list colony@127.0.0.1 in nodes(connected):\n\(peer.output)")
        #expect(peer.output.contains("COLONY_CONNECTED ['colony@127.0.0.1'] ['colony@127.0.0.1']"))
    }

    @Test("Colony as initiator with a wrong cookie: OTP rejects it and says so", .timeLimit(.minutes(1)))
    func colonyInitiatesWithWrongCookie() async throws {
        let peer = try await OTPPeer()
        defer { peer.stop() }
        try await peer.start(name: "e1@127.0.0.1", cookie: "secret", eval: "io:format(\"ERL_READY~n\").")

        let configuration = try Support.configuration("colony@127.0.0.1", cookie: "not-the-cookie")
        let (channel, future) = try await Support.connect(
            port: Int(peer.distributionPort), configuration: configuration, peerName: "e1@127.0.0.1")
        defer { channel.close(promise: nil) }
        let outcome = try await Support.withTimeout(.seconds(10), "the handshake with erl to fail") {
            do {
                return Result<HandshakeResult, HandshakeFailure>.success(try await future.get())
            } catch let failure as HandshakeFailure {
                return .failure(failure)
            }
        }
        guard case .failure(let failure) = outcome else {
            Issue.record("the handshake succeeded with a wrong cookie")
            return
        }
        #expect(failure.reason == .connectionClosed)
        #expect(failure.stage == .awaitingChallengeAck)
        #expect(failure.description.contains("cookie"))

        // OTP 25 logs: ** Connection attempt from node 'colony@127.0.0.1' rejected. Invalid challenge reply. **
        let logged = await peer.waitForOutput(containing: "Invalid challenge reply", timeout: .seconds(5))
        #expect(logged, "erl did not log the rejected challenge reply:\n\(peer.output)")
        #expect(peer.output.contains("Connection attempt from node 'colony@127.0.0.1' rejected"), "\(peer.output)")
    }

    @Test("Colony as acceptor: net_kernel:connect_node returns true", .timeLimit(.minutes(1)))
    func otpInitiates() async throws {
        try await acceptFromOTP(colonyCookie: "secret", expectConnected: true)
    }

    @Test("Colony as acceptor with a wrong cookie: connect_node returns false", .timeLimit(.minutes(1)))
    func otpInitiatesWithWrongCookie() async throws {
        try await acceptFromOTP(colonyCookie: "not-the-cookie", expectConnected: false)
    }

    /// Registers `colony` with the peer's epmd, listens, and lets `erl` connect.
    func acceptFromOTP(colonyCookie: String, expectConnected: Bool) async throws {
        let peer = try await OTPPeer()
        defer { peer.stop() }
        // Register first, on a port that was free a moment ago, so the node's creation can be
        // the one epmd assigns.
        let port = try ExternalProcess.freeLoopbackPort()
        let (registration, creation) = try await peer.register(name: "colony", port: Int(port))
        defer { registration.close(promise: nil) }
        #expect(creation != 0)
        let configuration = try Support.configuration("colony@127.0.0.1", creation: creation, cookie: colonyCookie)
        let acceptor = try await Support.listen(configuration: configuration, port: Int(port))
        defer { acceptor.close() }

        try await peer.start(name: "e1@127.0.0.1", cookie: "secret", eval: Self.connectToColony)
        let outcome = try await acceptor.next(timeout: .seconds(15))
        let printed = await peer.waitForOutput(containing: "CONNECT_RESULT")
        #expect(printed, "erl printed no CONNECT_RESULT:\n\(peer.output)")

        if expectConnected {
            let result = try outcome.get()
            #expect(result.peerName == "e1@127.0.0.1")
            #expect(result.role == .acceptor)
            #expect(DistributionFlags.missing(.required, from: result.peerFlags).isEmpty)
            print("OTP (initiator) sent flags 0x\(String(result.peerFlags.rawValue, radix: 16)) \(result.peerFlags)")
            #expect(peer.output.contains("CONNECT_RESULT true ['colony@127.0.0.1']"), "\(peer.output)")
        } else {
            guard case .failure(let failure as HandshakeFailure) = outcome else {
                Issue.record("the handshake did not fail with a HandshakeFailure: \(outcome)")
                return
            }
            #expect(failure.reason == .wrongCookie)
            #expect(failure.peerName == "e1@127.0.0.1")
            #expect(peer.output.contains("CONNECT_RESULT false []"), "\(peer.output)")
        }
    }
}
