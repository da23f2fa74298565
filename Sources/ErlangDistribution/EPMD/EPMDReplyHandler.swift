import NIOCore

/// The client's channel handler: sends one request when the connection opens, collects the
/// reply's bytes and completes a promise once `parse` recognizes a whole reply.
///
/// `parse` is called after every read with `closed == false`, and once more with `closed == true`
/// when EPMD closes the connection (`NAMES_RESP` is only complete then). The promise fails with
/// ``EPMDError`` when no reply comes within `timeout`, when the bytes are malformed, or when the
/// connection closes first. Bytes after a complete reply are ignored.
final class EPMDReplyHandler<Reply: Sendable>: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    typealias Parser = @Sendable (inout ByteBuffer, _ closed: Bool) throws(EPMDDecodingError) -> Reply?

    private let request: ByteBuffer
    private let parse: Parser
    private let promise: EventLoopPromise<Reply>
    private let timeout: TimeAmount
    private let host: String
    private let port: Int
    private var received = ByteBuffer()
    private var timer: Scheduled<Void>?
    private var completed = false

    init(
        request: ByteBuffer, timeout: TimeAmount, host: String, port: Int, promise: EventLoopPromise<Reply>,
        parse: @escaping Parser
    ) {
        self.request = request
        self.timeout = timeout
        self.host = host
        self.port = port
        self.promise = promise
        self.parse = parse
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
        let promise = self.promise
        let channel = context.channel
        let error = EPMDError.timedOut(host: host, port: port)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            promise.fail(error)
            channel.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !completed else { return }
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        guard received.readableBytes <= EPMDLimits.maximumNamesReplyBytes else {
            finish(.failure(EPMDError.malformedReply(.replyTooLarge(limit: EPMDLimits.maximumNamesReplyBytes))))
            context.close(promise: nil)
            return
        }
        attempt(closed: false, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !completed { attempt(closed: true, context: context) }
        finish(.failure(EPMDError.connectionClosed(host: host, port: port)))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A read or write failed after the connection opened: EPMD reset or dropped it.
        finish(.failure(EPMDError.connectionClosed(host: host, port: port)))
        context.close(promise: nil)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish(.failure(EPMDError.connectionClosed(host: host, port: port)))
    }

    private func attempt(closed: Bool, context: ChannelHandlerContext) {
        var buffer = received
        do {
            if let reply = try parse(&buffer, closed) { finish(.success(reply)) }
        } catch {
            finish(.failure(EPMDError.malformedReply(error)))
            context.close(promise: nil)
        }
    }

    /// Completes the promise once; later calls do nothing.
    private func finish(_ result: Result<Reply, any Error>) {
        guard !completed else { return }
        completed = true
        timer?.cancel()
        timer = nil
        received = ByteBuffer()
        promise.completeWith(result)
    }
}
