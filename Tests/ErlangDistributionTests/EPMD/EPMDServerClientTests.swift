import ColonyTestSupport
import NIOCore
import NIOPosix
import Testing

@testable import ErlangDistribution

/// Colony's server and client together over TCP on 127.0.0.1, each test on its own port.
@Suite("EPMD server and client")
struct EPMDServerClientTests {
    typealias T = EPMDTestSupport

    let client = EPMDClient(connectTimeout: .seconds(2), replyTimeout: .seconds(3))

    @Test("Register, look up, list, refuse a taken name, unregister on close")
    func registrationLifecycle() async throws {
        try await T.withServer(registry: EPMDRegistry(firstCreation: 500)) { server in
            let port = server.port

            let registration = try await client.register(name: "alpha", port: 4711, epmdPort: port)
            #expect(registration.creation == 500)
            #expect(registration.isActive)
            let hidden = try await client.register(
                name: "beta", port: 4712, hidden: true, extra: [1, 2], epmdPort: port)
            #expect(hidden.creation == 501)

            let alpha = try #require(try await client.lookup(name: "alpha", port: port))
            #expect(
                alpha == EPMDNodeInfo(name: "alpha", port: 4711, nodeType: .normal, highestVersion: 6, lowestVersion: 6)
            )
            #expect(try await client.lookup(name: "beta", port: port)?.nodeType == .hidden)
            #expect(try await client.lookup(name: "beta", port: port)?.extra == [1, 2])
            #expect(try await client.lookup(name: "gamma", port: port) == nil)

            let names = try await client.names(port: port)
            #expect(names.map(\.name) == ["alpha", "beta"])
            #expect(names.map(\.port) == [4711, 4712])
            #expect(try await client.namesResponse(port: port).epmdPort == UInt32(port))

            await #expect(throws: EPMDError.nameTaken(name: "alpha", result: 1)) {
                _ = try await client.register(name: "alpha", port: 1, epmdPort: port)
            }

            await registration.close()
            #expect(!registration.isActive)
            #expect(await T.eventually { server.lookup("alpha") == nil })
            #expect(try await client.lookup(name: "alpha", port: port) == nil)

            let again = try await client.register(name: "alpha", port: 4713, epmdPort: port)
            #expect(again.creation == 502)
            await again.close()
            await hidden.close()
        }
    }

    @Test("Stopping the server closes the registrations' connections")
    func stopClosesRegistrations() async throws {
        try await T.withServer { server in
            let registration = try await client.register(name: "alpha", port: 4711, epmdPort: server.port)
            await server.stop()
            #expect(await T.eventually { !registration.isActive })
            await #expect(throws: EPMDError.self) { _ = try await client.names(port: server.port) }
        }
    }

    @Test("A node older than OTP 23 gets ALIVE2_RESP with a creation of 1 to 3")
    func legacyRegistration() async throws {
        try await T.withServer { server in
            let node = EPMDNodeInfo(name: "old", port: 9, highestVersion: 5, lowestVersion: 5)
            let frame = Array(EPMDRequest.alive2(node).encoded().readableBytesView)
            let (bytes, closed) = try await T.rawExchange(port: server.port, bytes: frame, until: 4)
            #expect(!closed)
            #expect(bytes.count == 4 && bytes[0] == 121 && bytes[1] == 0 && bytes[2] == 0 && (1...3).contains(bytes[3]))
        }
    }

    @Test("Malformed requests and unknown tags close the connection without a reply")
    func malformedRequests() async throws {
        try await T.withServer { server in
            for request: [UInt8] in [[0, 0], [0, 1, 107], [0, 3, 120, 0, 1], [0, 2, 122, 0xFF]] {
                let (bytes, closed) = try await T.rawExchange(port: server.port, bytes: request)
                #expect(bytes.isEmpty && closed, "request \(request)")
            }
            #expect(server.registeredNodes.isEmpty)
        }
    }

    @Test("A connection that never sends a request is closed after the idle timeout")
    func idleConnection() async throws {
        try await T.withServer(idleTimeout: .milliseconds(200)) { server in
            let (bytes, closed) = try await T.rawExchange(port: server.port, bytes: [], timeout: .seconds(3))
            #expect(bytes.isEmpty && closed)
        }
    }

    @Test("The client reports an unreachable EPMD, a silent one, and a malformed reply")
    func clientErrors() async throws {
        let freePort = Int(try ExternalProcess.freeLoopbackPort())
        let error = await #expect(throws: EPMDError.self) { _ = try await client.names(port: freePort) }
        guard case .unreachable(host: "127.0.0.1", port: freePort, reason: _)? = error else {
            Issue.record("expected unreachable, got \(String(describing: error))")
            return
        }

        let silent = try await Self.fakeServer(reply: nil)
        defer { silent.close(promise: nil) }
        let silentPort = try #require(silent.localAddress?.port)
        let impatient = EPMDClient(connectTimeout: .seconds(1), replyTimeout: .milliseconds(200))
        await #expect(throws: EPMDError.timedOut(host: "127.0.0.1", port: silentPort)) {
            _ = try await impatient.lookup(name: "a", port: silentPort)
        }

        let garbage = try await Self.fakeServer(reply: Array("HTTP/1.1 400".utf8))
        defer { garbage.close(promise: nil) }
        let garbagePort = try #require(garbage.localAddress?.port)
        await #expect(throws: EPMDError.malformedReply(.unexpectedReplyTag(expected: 119, actual: 0x48))) {
            _ = try await client.lookup(name: "a", port: garbagePort)
        }
        await #expect(throws: EPMDError.malformedReply(.unexpectedReplyTag(expected: 118, actual: 0x48))) {
            _ = try await client.register(name: "a", port: 1, epmdPort: garbagePort)
        }

        let closing = try await Self.fakeServer(reply: [119])
        defer { closing.close(promise: nil) }
        let closingPort = try #require(closing.localAddress?.port)
        await #expect(throws: EPMDError.connectionClosed(host: "127.0.0.1", port: closingPort)) {
            _ = try await client.lookup(name: "a", port: closingPort)
        }

        await #expect(throws: EPMDError.self) { _ = try await client.register(name: "", port: 1, epmdPort: freePort) }
        await #expect(throws: EPMDError.self) {
            _ = try await client.register(name: "a", port: 70000, epmdPort: freePort)
        }
    }

    @Test("ensureRunning starts a server when none answers, and returns nil when one does")
    func ensureRunning() async throws {
        let port = Int(try ExternalProcess.freeLoopbackPort())
        let started = try #require(try await EPMD.ensureRunning(port: port))
        do {
            #expect(started.port == port)
            #expect(try await EPMD.ensureRunning(port: port) == nil)
            let registration = try await client.register(name: "n", port: 1, epmdPort: port)
            #expect(try await client.lookup(name: "n", port: port)?.port == 1)
            await registration.close()
        } catch {
            await started.stop()
            throw error
        }
        await started.stop()
    }

    @Test("Only peers on this host may register, as in epmd")
    func localPeers() throws {
        func address(_ ip: String) throws -> SocketAddress { try SocketAddress(ipAddress: ip, port: 4369) }
        let local = try address("10.1.2.3")
        #expect(EPMDServerHandler.isLocal(peer: try address("127.0.0.1"), local: local))
        #expect(EPMDServerHandler.isLocal(peer: try address("127.8.9.10"), local: local))
        #expect(EPMDServerHandler.isLocal(peer: try address("::1"), local: local))
        #expect(EPMDServerHandler.isLocal(peer: try address("10.1.2.3"), local: local))
        #expect(!EPMDServerHandler.isLocal(peer: try address("10.1.2.4"), local: local))
        #expect(!EPMDServerHandler.isLocal(peer: try address("fe80::1"), local: local))
        #expect(!EPMDServerHandler.isLocal(peer: nil, local: local))
    }

    /// A TCP server on 127.0.0.1 that writes `reply` to each connection and closes it, or, when
    /// `reply` is `nil`, accepts connections and stays silent.
    static func fakeServer(reply: [UInt8]?) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FakeReplyHandler(reply: reply))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }
}

/// Writes a fixed reply to each connection as it opens and closes it; stays silent when `reply`
/// is `nil`.
private final class FakeReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let reply: [UInt8]?

    init(reply: [UInt8]?) { self.reply = reply }

    func channelActive(context: ChannelHandlerContext) {
        guard let reply else { return }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: reply))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
