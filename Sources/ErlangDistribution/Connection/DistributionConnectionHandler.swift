import ErlangTerm
public import Logging
public import NIOCore

/// The SwiftNIO shell of an established connection: feeds frames to ``DistributionInbound``,
/// hands the messages to the delegate, runs the ticker (``TickStateMachine``), and reports the
/// end of the connection once with its reason.
public final class DistributionConnectionHandler: ChannelInboundHandler, Sendable {
    public typealias InboundIn = ByteBuffer

    private let connection: DistributionConnection
    private let delegate: any DistributionConnectionDelegate
    private let tickTime: TimeAmount
    private let logger: Logger
    // Touched on the event loop only.
    nonisolated(unsafe) private var inbound: DistributionInbound
    nonisolated(unsafe) private var ticker = TickStateMachine()
    nonisolated(unsafe) private var readSinceTick = false
    nonisolated(unsafe) private var tickTask: RepeatedTask?
    nonisolated(unsafe) private var closeReason: DisconnectReason?
    nonisolated(unsafe) private var reported = false

    /// A handler for `connection`, reporting to `delegate`.
    public init(
        connection: DistributionConnection, delegate: any DistributionConnectionDelegate, tickTime: TimeAmount,
        limits: DistributionInbound.Limits = .init(), logger: Logger
    ) {
        self.connection = connection
        self.delegate = delegate
        self.tickTime = tickTime
        self.inbound = DistributionInbound(limits: limits)
        var logger = logger
        logger[metadataKey: "peer"] = "\(connection.peerName)"
        self.logger = logger
    }

    /// Installs the frame decoder and this handler on the connection's channel and starts ticking.
    /// Call on the channel's event loop.
    public static func install(
        connection: DistributionConnection, delegate: any DistributionConnectionDelegate, tickTime: TimeAmount,
        limits: DistributionInbound.Limits = .init(), maximumFrameSize: Int = 256 << 20, logger: Logger
    ) throws {
        let handler = DistributionConnectionHandler(
            connection: connection, delegate: delegate, tickTime: tickTime, limits: limits, logger: logger)
        // NIO's writability is the back-pressure: senders wait while the channel holds more than
        // the high-water mark, until it drains below half of it.
        try connection.channel.syncOptions?.setOption(
            ChannelOptions.writeBufferWaterMark,
            value: .init(low: connection.highWaterMark / 2, high: connection.highWaterMark))
        try connection.channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(DistributionFrameDecoder(maximumFrameSize: maximumFrameSize)), handler,
        ])
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        let interval = TimeAmount.nanoseconds(
            max(tickTime.nanoseconds / Int64(TickStateMachine.firingsPerTickTime), 1_000_000))
        tickTask = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in
            tick()
        }
        if !context.channel.isActive { report(.connectionClosed) }
    }

    private func tick() {
        let directive = ticker.fire(readSinceLast: readSinceTick, wroteSinceLast: connection.takeWroteSinceTick())
        readSinceTick = false
        switch directive {
        case .none: break
        case .sendTick:
            var buffer = connection.channel.allocator.buffer(capacity: 4)
            DistributionOutbound.writeTick(into: &buffer)
            connection.channel.writeAndFlush(buffer, promise: nil)
        case .disconnect:
            logger.warning("no traffic for the whole tick time; disconnecting (net_tick_timeout)")
            closeReason = .netTickTimeout
            connection.channel.close(promise: nil)
        }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        readSinceTick = true
        guard closeReason == nil else { return }
        let frame = unwrapInboundIn(data)
        connection.metrics?.bytesReceived.increment(by: frame.readableBytes + 4)
        do {
            switch try inbound.receive(frame: frame) {
            case .tick, .fragment: break
            case .message(let control, let payload):
                // A retired connection's frames would overtake nothing but could arrive after the
                // newer connection's: they are dropped, as OTP drops a replaced connection's.
                guard !connection.isRetired else { return }
                connection.metrics?.messagesReceived.increment()
                delegate.connection(connection, received: control, payload: payload)
            }
        } catch {
            logger.error("closing the connection: \(error)")
            closeReason = .protocolError(error)
            context.close(promise: nil)
        }
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        connection.writabilityChanged(isWritable: context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if closeReason == nil {
            if let error = error as? DistributionError {
                closeReason = .protocolError(error)
            } else if let error = error as? ByteToMessageDecoderError,
                case .leftoverDataWhenDone = error
            {
                closeReason = .connectionClosed
            }
        }
        logger.debug("connection error: \(error)")
        context.close(promise: nil)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        report(connection.requestedCloseReason ?? closeReason ?? .connectionClosed)
        context.fireChannelInactive()
    }

    private func report(_ reason: DisconnectReason) {
        guard !reported else { return }
        reported = true
        tickTask?.cancel()
        inbound.releaseAll()
        connection.markClosed()
        delegate.connectionClosed(connection, reason: reason)
    }
}
