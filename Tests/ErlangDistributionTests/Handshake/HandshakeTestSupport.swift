import ErlangDistribution
import NIOCore
import NIOPosix
import Synchronization

/// Helpers for handshake tests over real TCP on 127.0.0.1.
enum HandshakeTestSupport {
    struct TimedOut: Error, CustomStringConvertible {
        var what: String
        var description: String { "timed out waiting for \(what)" }
    }

    /// Runs `body`, failing with ``TimedOut`` after `timeout`.
    static func withTimeout<T: Sendable>(
        _ timeout: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TimedOut(what: what)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    static func configuration(
        _ name: String, creation: UInt32 = 1_700_000_001, flags: DistributionFlags = .colonyDefault,
        cookie: String = "secret"
    ) throws -> HandshakeConfiguration {
        try HandshakeConfiguration(localName: name, localCreation: creation, localFlags: flags, cookie: .fixed(cookie))
    }

    static func randomChallenge() -> UInt32 { .random(in: .min ... .max) }

    /// Connects to 127.0.0.1:`port` and runs the handshake as initiator towards `peerName`.
    static func connect(
        port: Int, configuration: HandshakeConfiguration, peerName: String,
        options: HandshakeHandler.Options = HandshakeHandler.Options()
    ) async throws -> (channel: any Channel, result: EventLoopFuture<HandshakeResult>) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port).get()
        let machine = HandshakeStateMachine(initiating: configuration, to: peerName, challenge: randomChallenge())
        let result = try await channel.eventLoop.submit {
            try HandshakeHandler.install(on: channel, machine: machine, options: options)
        }.get()
        return (channel, result)
    }

    /// A Colony acceptor listening on 127.0.0.1 (a free port), reporting each handshake's outcome.
    struct Acceptor {
        var server: any Channel
        var outcomes: AsyncStream<Result<HandshakeResult, any Error>>
        var port: Int { server.localAddress?.port ?? 0 }

        /// The outcome of the next handshake.
        func next(timeout: Duration = .seconds(10)) async throws -> Result<HandshakeResult, any Error> {
            let outcomes = self.outcomes
            return try await withTimeout(timeout, "an accepted handshake") {
                var iterator = outcomes.makeAsyncIterator()
                guard let outcome = await iterator.next() else { throw TimedOut(what: "an accepted handshake") }
                return outcome
            }
        }

        func close() { server.close(promise: nil) }
    }

    /// Starts an acceptor on `port` (a free one when 0). `behind` makes a handler to add behind the handshake handlers of each
    /// accepted connection.
    static func listen(
        configuration: HandshakeConfiguration, options: HandshakeHandler.Options = HandshakeHandler.Options(),
        port: Int = 0, behind: (@Sendable () -> any ChannelHandler & Sendable)? = nil
    ) async throws -> Acceptor {
        let (outcomes, continuation) = AsyncStream.makeStream(of: Result<HandshakeResult, any Error>.self)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let machine = HandshakeStateMachine(accepting: configuration, challenge: randomChallenge())
                    let result = try HandshakeHandler.install(on: channel, machine: machine, options: options)
                    if let behind { try channel.pipeline.syncOperations.addHandler(behind()) }
                    result.whenComplete { continuation.yield($0) }
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        return Acceptor(server: server, outcomes: outcomes)
    }
}

/// Records what reaches the end of a pipeline: user events and bytes.
final class PipelineRecorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    enum Entry: Sendable, Equatable {
        case completed(String)
        case bytes([UInt8])
    }

    private let entries = Mutex<[Entry]>([])

    var recorded: [Entry] { entries.withLock { $0 } }

    var bytes: [UInt8] {
        recorded.flatMap { entry -> [UInt8] in
            if case .bytes(let bytes) = entry { bytes } else { [] }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        entries.withLock { $0.append(.bytes(Array(buffer.readableBytesView))) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .completed(let result) = event as? HandshakeEvent {
            entries.withLock { $0.append(.completed(result.peerName)) }
        }
        context.fireUserInboundEventTriggered(event)
    }
}
