public import Logging
public import NIOCore

/// The SwiftNIO shell around ``HandshakeStateMachine``: it feeds the machine the frames from
/// ``HandshakeFrameDecoder`` and carries out its directives on the channel.
///
/// It starts the handshake when the channel is active, asks the node through
/// ``Options/acceptance`` and ``Options/alive``, and fails the handshake when it takes longer
/// than ``Options/timeout``. On success it fires ``HandshakeEvent/completed(_:)``, removes itself
/// and the frame decoder, and succeeds its promise, so the channel is ready for 4-byte framed
/// distribution traffic; bytes the peer sent after the handshake reach the handlers behind it. To
/// see them, add the distribution handlers either behind the handshake handlers from the start,
/// or synchronously in a callback on the promise's future (it runs on the event loop before the
/// frame decoder, which leaves in a queued task, hands over what it holds). On failure it logs the failure as an error, fires
/// ``HandshakeEvent/failed(_:)``, fails its promise with the ``HandshakeFailure``, and closes the
/// channel once the messages it had to send (`not_allowed`, `nok`, ...) are written.
///
/// Use ``install(on:machine:options:logger:)`` to add it with its decoder.
public final class HandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// How the handler asks the node, and how long it waits.
    public struct Options: Sendable {
        /// The longest the whole handshake may take; OTP's default `net_setuptime` is 7 seconds.
        public var timeout: TimeAmount
        /// Acceptor: whether the peer may connect.
        public var acceptance: HandshakeCallback<AcceptanceRequest, AcceptanceDecision>
        /// Initiator: the peer says it is already connected to this node; answer `true` when this
        /// node's old connection is stale (it would not be dialling otherwise, so the default).
        public var alive: HandshakeCallback<String, Bool>
        /// How messages are framed: 2-byte lengths over TCP, 4-byte lengths over TLS.
        public var framing: HandshakeFraming

        /// Options; by default every peer is allowed, `alive` is answered `true`, and frames have
        /// TCP's 2-byte lengths.
        public init(
            timeout: TimeAmount = .seconds(7),
            acceptance: HandshakeCallback<AcceptanceRequest, AcceptanceDecision> = .always(.allowed),
            alive: HandshakeCallback<String, Bool> = .always(true),
            framing: HandshakeFraming = .twoByteLength
        ) {
            self.timeout = timeout
            self.acceptance = acceptance
            self.alive = alive
            self.framing = framing
        }
    }

    private var machine: HandshakeStateMachine
    private let options: Options
    private let logger: Logger
    private let promise: EventLoopPromise<HandshakeResult>
    private let frameDecoder: (any RemovableChannelHandler)?
    private var started = false
    private var finished = false
    private var timeoutTask: Scheduled<Void>?
    private var lastWrite: EventLoopFuture<Void>?

    /// A handler driving `machine`, reporting to `promise`, and removing `frameDecoder` (the
    /// handler in front of it that splits 2-byte frames) when the handshake completes.
    public init(
        machine: HandshakeStateMachine, options: Options = Options(),
        logger: Logger = Logger(label: "colony.distribution.handshake"), promise: EventLoopPromise<HandshakeResult>,
        frameDecoder: (any RemovableChannelHandler)?
    ) {
        self.machine = machine
        self.options = options
        self.promise = promise
        self.frameDecoder = frameDecoder
        var logger = logger
        logger[metadataKey: "handshake.role"] = "\(machine.role)"
        logger[metadataKey: "handshake.local"] = "\(machine.configuration.localName)"
        if let peer = machine.peerName { logger[metadataKey: "handshake.peer"] = "\(peer)" }
        self.logger = logger
    }

    // MARK: - Channel events

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { begin(context: context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        guard !finished else { return }
        // Removed by someone else, or the pipeline was torn down: the handshake cannot go on.
        finished = true
        timeoutTask?.cancel()
        let failure = HandshakeFailure(
            reason: .connectionClosed, role: machine.role, localName: machine.configuration.localName,
            peerName: machine.peerName, stage: machine.stage)
        promise.fail(failure)
    }

    public func channelActive(context: ChannelHandlerContext) {
        begin(context: context)
        context.fireChannelActive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else {
            context.fireChannelRead(data)
            return
        }
        run(machine.receive(frame: unwrapInboundIn(data)), context: context)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        run(machine.connectionClosed(), context: context)
        context.fireChannelInactive()
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !finished else {
            context.fireErrorCaught(error)
            return
        }
        run(machine.connectionFailed("\(error)"), context: context)
    }

    // MARK: - Directives

    private func begin(context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        logger.debug("distribution handshake started")
        timeoutTask = context.eventLoop.assumeIsolated().scheduleTask(in: options.timeout) {
            self.run(self.machine.timedOut(), context: context)
        }
        run(machine.start(), context: context)
    }

    private func run(_ directives: [HandshakeDirective], context: ChannelHandlerContext) {
        var wrote = false
        for directive in directives {
            switch directive {
            case .send(let message):
                var buffer = context.channel.allocator.buffer(capacity: 64)
                message.encodeFrame(into: &buffer, framing: options.framing)
                logger.trace("handshake send", metadata: ["message": "\(message)"])
                let promise = context.eventLoop.makePromise(of: Void.self)
                context.write(wrapOutboundOut(buffer), promise: promise)
                lastWrite = promise.futureResult
                wrote = true
            case .askAcceptance(let peerName, let flags, let creation):
                let request = AcceptanceRequest(peerName: peerName, flags: flags, creation: creation)
                ask(options.acceptance, request, context: context) { handler, decision in
                    handler.machine.acceptanceDecided(decision)
                }
            case .askAlive(let peerName):
                ask(options.alive, peerName, context: context) { handler, answer in
                    handler.machine.aliveAnswered(answer)
                }
            case .completed(let result):
                if wrote { context.flush() }
                wrote = false
                complete(result, context: context)
            case .failed(let failure):
                if wrote { context.flush() }
                wrote = false
                fail(failure, context: context)
            }
        }
        if wrote { context.flush() }
    }

    /// Asks the node `callback`, then feeds the answer to the machine through `apply`.
    private func ask<Input: Sendable, Output: Sendable>(
        _ callback: HandshakeCallback<Input, Output>, _ input: Input, context: ChannelHandlerContext,
        apply: @escaping (HandshakeHandler, Output) -> [HandshakeDirective]
    ) {
        switch callback {
        case .immediate(let answer):
            run(apply(self, answer(input)), context: context)
        case .async(let answer):
            context.eventLoop.makeFutureWithTask { await answer(input) }
                .assumeIsolated()
                .whenSuccess { output in
                    self.run(apply(self, output), context: context)
                }
        }
    }

    private func complete(_ result: HandshakeResult, context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        timeoutTask?.cancel()
        logger.debug(
            "distribution handshake completed",
            metadata: [
                "handshake.peer": "\(result.peerName)", "handshake.flags": "\(result.flags)",
                "handshake.peer_creation": "\(result.peerCreation)",
            ])
        context.fireUserInboundEventTriggered(HandshakeEvent.completed(result))
        // The decoder stops decoding at once and leaves in a task queued on the event loop, which
        // then passes on the bytes it still holds; this handler leaves at once. Succeeding the
        // promise last lets its callbacks see the final pipeline, and any task they queue runs
        // after the decoder has left.
        let pipeline = context.pipeline.syncOperations
        if let frameDecoder { pipeline.removeHandler(frameDecoder, promise: nil) }
        pipeline.removeHandler(context: context, promise: nil)
        promise.succeed(result)
    }

    private func fail(_ failure: HandshakeFailure, context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        timeoutTask?.cancel()
        switch failure.reason {
        case .simultaneousConnectLost, .duplicateConnectionAbandoned:
            // Two nodes connecting to each other at once: one connection stays, as intended.
            logger.debug("distribution handshake ended: \(failure)")
        default:
            logger.error("distribution handshake failed: \(failure)")
        }
        context.fireUserInboundEventTriggered(HandshakeEvent.failed(failure))
        promise.fail(failure)
        let channel = context.channel
        if let lastWrite {
            lastWrite.assumeIsolated().whenComplete { _ in channel.close(promise: nil) }
        } else {
            channel.close(promise: nil)
        }
    }
}

/// The user inbound event a ``HandshakeHandler`` fires when the handshake ends, for handlers
/// behind it.
public enum HandshakeEvent: Sendable {
    /// The handshake succeeded; the handshake handlers are leaving the pipeline.
    case completed(HandshakeResult)
    /// The handshake failed; the channel is closing.
    case failed(HandshakeFailure)
}
