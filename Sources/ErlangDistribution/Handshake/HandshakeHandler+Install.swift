public import Logging
public import NIOCore

extension HandshakeHandler {
    /// Adds a ``HandshakeFrameDecoder`` and a ``HandshakeHandler`` driving `machine` to the end of
    /// `channel`'s pipeline, and returns the future of the handshake's result.
    ///
    /// Call it on the channel's event loop, typically in a bootstrap's channel initializer. The
    /// future fails with a ``HandshakeFailure``.
    ///
    /// ```swift
    /// let configuration = try HandshakeConfiguration(
    ///     localName: "colony@127.0.0.1", localCreation: creation, cookie: .fixed("secret"))
    /// let machine = HandshakeStateMachine(
    ///     initiating: configuration, to: "e1@127.0.0.1", challenge: .random(in: .min ... .max))
    /// let result = try HandshakeHandler.install(on: channel, machine: machine, logger: logger)
    /// ```
    public static func install(
        on channel: any Channel, machine: HandshakeStateMachine, options: Options = Options(),
        logger: Logger = Logger(label: "colony.distribution.handshake")
    ) throws -> EventLoopFuture<HandshakeResult> {
        let promise = channel.eventLoop.makePromise(of: HandshakeResult.self)
        let decoder = ByteToMessageHandler(HandshakeFrameDecoder(framing: options.framing))
        let handler = HandshakeHandler(
            machine: machine, options: options, logger: logger, promise: promise, frameDecoder: decoder)
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(decoder)
        try pipeline.addHandler(handler)
        return promise.futureResult
    }
}
