public import Logging
public import NIOCore

extension HandshakeHandler {
    /// Adds a ``HandshakeFrameDecoder`` and a ``HandshakeHandler`` driving `machine` to the end of
    /// `channel`'s pipeline, and returns the future of the handshake's result.
    ///
    /// Call it on the channel's event loop, typically in a bootstrap's channel initializer. The
    /// future fails with a ``HandshakeFailure``. On a channel already closed it throws (and the
    /// future, which nobody then holds, fails with the same error).
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
        do {
            try pipeline.addHandler(decoder)
            try pipeline.addHandler(handler)
        } catch {
            // The channel closed first (a TLS peer that refused this node, a peer that hung up):
            // the handler never ran, so its promise is failed here rather than left to leak.
            promise.fail(error)
            throw error
        }
        return promise.futureResult
    }
}
