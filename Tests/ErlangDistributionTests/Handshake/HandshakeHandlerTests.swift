import ErlangDistribution
import NIOCore
import NIOPosix
import Testing

@Suite("Handshake: NIO handler over TCP on 127.0.0.1")
struct HandshakeHandlerTests {
    typealias Support = HandshakeTestSupport

    @Test("two Colony nodes complete the handshake; the handshake handlers leave the pipeline", .timeLimit(.minutes(1)))
    func colonyToColony() async throws {
        let acceptor = try await Support.listen(configuration: Support.configuration("b@127.0.0.1", creation: 2))
        defer { acceptor.close() }
        let (channel, future) = try await Support.connect(
            port: acceptor.port, configuration: Support.configuration("a@127.0.0.1", creation: 1),
            peerName: "b@127.0.0.1")
        defer { channel.close(promise: nil) }

        let initiated = try await future.get()
        #expect(initiated.peerName == "b@127.0.0.1")
        #expect(initiated.peerCreation == 2)
        #expect(initiated.flags == .colonyDefault)
        let accepted = try await acceptor.next().get()
        #expect(accepted.peerName == "a@127.0.0.1")
        #expect(accepted.peerCreation == 1)

        let handlers = try await channel.eventLoop.submit {
            let pipeline = channel.pipeline.syncOperations
            return [
                (try? pipeline.handler(type: HandshakeHandler.self)) != nil,
                (try? pipeline.handler(type: ByteToMessageHandler<HandshakeFrameDecoder>.self)) != nil,
            ]
        }.get()
        #expect(handlers == [false, false])
        #expect(channel.isActive)
    }

    @Test("a wrong cookie fails both sides and closes the connection", .timeLimit(.minutes(1)))
    func wrongCookie() async throws {
        let acceptor = try await Support.listen(configuration: Support.configuration("b@127.0.0.1"))
        defer { acceptor.close() }
        let (channel, future) = try await Support.connect(
            port: acceptor.port, configuration: Support.configuration("a@127.0.0.1", cookie: "wrong"),
            peerName: "b@127.0.0.1")
        defer { channel.close(promise: nil) }

        let accepted = try await acceptor.next()
        #expect(throws: HandshakeFailure.self) { try accepted.get() }
        if case .failure(let failure as HandshakeFailure) = accepted {
            #expect(failure.reason == .wrongCookie)
            #expect(failure.peerName == "a@127.0.0.1")
        }
        do {
            _ = try await future.get()
            Issue.record("the initiator's handshake succeeded with a wrong cookie")
        } catch let failure as HandshakeFailure {
            #expect(failure.reason == .connectionClosed)
            #expect(failure.stage == .awaitingChallengeAck)
        }
        try await channel.closeFuture.get()
    }

    @Test("an async acceptance callback can refuse a peer", .timeLimit(.minutes(1)))
    func asyncRefusal() async throws {
        let options = HandshakeHandler.Options(
            acceptance: .async { request in
                try? await Task.sleep(for: .milliseconds(20))
                return request.peerName == "a@127.0.0.1" ? .notAllowed : .allowed
            })
        let acceptor = try await Support.listen(configuration: Support.configuration("b@127.0.0.1"), options: options)
        defer { acceptor.close() }
        let (channel, future) = try await Support.connect(
            port: acceptor.port, configuration: Support.configuration("a@127.0.0.1"), peerName: "b@127.0.0.1")
        defer { channel.close(promise: nil) }

        do {
            _ = try await future.get()
            Issue.record("the initiator's handshake succeeded although the acceptor refused it")
        } catch let failure as HandshakeFailure {
            #expect(failure.reason == .notAllowed)
            #expect(failure.stage == .awaitingStatus)
        }
        if case .failure(let failure as HandshakeFailure) = try await acceptor.next() {
            #expect(failure.reason == .notAllowed)
        } else {
            Issue.record("the acceptor did not refuse")
        }
    }

    @Test("a silent peer runs into the handshake timeout", .timeLimit(.minutes(1)))
    func timeout() async throws {
        let acceptor = try await Support.listen(
            configuration: Support.configuration("b@127.0.0.1"), options: .init(timeout: .milliseconds(200)))
        defer { acceptor.close() }
        let silent = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: acceptor.port).get()
        defer { silent.close(promise: nil) }

        if case .failure(let failure as HandshakeFailure) = try await acceptor.next() {
            #expect(failure.reason == .timedOut)
            #expect(failure.stage == .awaitingName)
        } else {
            Issue.record("the acceptor did not time out")
        }
        try await Support.withTimeout(.seconds(5), "the silent connection to close") {
            try await silent.closeFuture.get()
        }
    }

    @Test(
        "bytes sent right after the handshake reach the handler behind it, also when they trickle in",
        .timeLimit(.minutes(1)), arguments: [false, true])
    func trailingBytesReachNextHandler(byteByByte: Bool) async throws {
        let recorder = PipelineRecorder()
        let acceptor = try await Support.listen(
            configuration: Support.configuration("b@127.0.0.1"), behind: { recorder })
        defer { acceptor.close() }
        // Two 4-byte framed messages: a tick (empty frame) and a 5-byte frame.
        let trailer: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5]
        let machine = HandshakeStateMachine(
            initiating: try Support.configuration("a@127.0.0.1"), to: "b@127.0.0.1", challenge: 99)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ScriptedInitiator(machine: machine, trailer: trailer, byteByByte: byteByByte))
                }
            }
            .connect(host: "127.0.0.1", port: acceptor.port).get()
        defer { channel.close(promise: nil) }

        #expect(try await acceptor.next().get().peerName == "a@127.0.0.1")
        for _ in 0..<250 where recorder.bytes.count < trailer.count {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(recorder.bytes == trailer)
        #expect(recorder.recorded.first == .completed("a@127.0.0.1"))
    }
}

/// An initiator written without ``HandshakeHandler``: it sends `trailer` in the same write as its
/// challenge reply (or everything one byte per write), as a peer that starts sending distribution
/// traffic at once would.
private final class ScriptedInitiator: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var machine: HandshakeStateMachine
    private let trailer: [UInt8]
    private let byteByByte: Bool
    private var received = ByteBuffer()

    init(machine: HandshakeStateMachine, trailer: [UInt8], byteByByte: Bool) {
        self.machine = machine
        self.trailer = trailer
        self.byteByByte = byteByByte
    }

    func channelActive(context: ChannelHandlerContext) {
        send(machine.start(), context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        received.writeBuffer(&buffer)
        while let frame = HandshakeFrameDecoder.nextFrame(from: &received) {
            send(machine.receive(frame: frame), context: context)
        }
    }

    private func send(_ directives: [HandshakeDirective], context: ChannelHandlerContext) {
        for case .send(let message) in directives {
            var buffer = context.channel.allocator.buffer(capacity: 64)
            message.encodeFrame(into: &buffer)
            if case .challengeReply = message { buffer.writeBytes(trailer) }
            if byteByByte {
                for byte in buffer.readableBytesView {
                    context.writeAndFlush(
                        wrapOutboundOut(context.channel.allocator.buffer(bytes: [byte])), promise: nil)
                }
            } else {
                context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            }
        }
    }
}
