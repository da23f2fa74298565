import Logging
import NIOCore

/// Splits the bytes of a server connection into framed ``EPMDRequest``s.
struct EPMDRequestDecoder: ByteToMessageDecoder {
    typealias InboundOut = EPMDRequest

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let request = try EPMDRequest.readFrame(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(request))
        return .continue
    }

    mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// Serves one connection to an ``EPMDServer``, as OTP's `epmd` does:
/// - `ALIVE2_REQ` registers the node; the connection then stays open, and closing it unregisters
///   the node. A refusal is answered (result 1) and the connection closed. Only a peer on this
///   host may register: from any other address the request is dropped and the connection closed.
/// - `PORT_PLEASE2_REQ` and `NAMES_REQ` are answered, then the connection is closed.
/// - A connection that has not registered is closed after `idleTimeout`; a malformed request
///   closes it at once; requests after the first one are ignored.
final class EPMDServerHandler: ChannelInboundHandler {
    typealias InboundIn = EPMDRequest
    typealias OutboundOut = ByteBuffer

    private let connection: EPMDConnectionID
    private let state: EPMDServerState
    private let idleTimeout: TimeAmount
    private let logger: Logger
    private var idleTimer: Scheduled<Void>?
    private var answered = false

    init(connection: EPMDConnectionID, state: EPMDServerState, idleTimeout: TimeAmount, logger: Logger) {
        self.connection = connection
        self.state = state
        self.idleTimeout = idleTimeout
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        idleTimer = context.eventLoop.scheduleTask(in: idleTimeout) { channel.close(promise: nil) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        answered = true
        switch unwrapInboundIn(data) {
        case .alive2(let node):
            guard Self.isLocal(peer: context.channel.remoteAddress, local: context.channel.localAddress) else {
                logger.debug("EPMD dropped ALIVE2_REQ from another host", metadata: ["name": "\(node.name)"])
                context.close(promise: nil)
                return
            }
            register(node, context: context)
        case .portPlease2(let name):
            let reply: EPMDPort2Response = state.lookup(name).map { .found($0) } ?? .notFound(result: 1)
            send(context: context, close: true) { reply.encode(into: &$0) }
        case .names:
            let port = UInt32(context.channel.localAddress?.port ?? 0)
            let reply = EPMDNamesResponse(epmdPort: port, entries: state.nameList)
            send(context: context, close: true) { reply.encode(into: &$0) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        if let entry = state.close(connection) {
            logger.debug(
                "EPMD unregistered node", metadata: ["name": "\(entry.node.name)", "connection": "\(connection)"])
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("EPMD connection failed", metadata: ["connection": "\(connection)", "error": "\(error)"])
        context.close(promise: nil)
    }

    private func register(_ node: EPMDNodeInfo, context: ChannelHandlerContext) {
        let format = EPMDAlive2Response.Format.forHighestVersion(node.highestVersion)
        switch state.register(node, connection: connection) {
        case .registered(let creation):
            idleTimer?.cancel()
            idleTimer = nil
            // Nodes older than OTP 23 take a creation of 1, 2 or 3.
            let reported = format == .extended ? creation : creation % 3 + 1
            let reply = EPMDAlive2Response(result: 0, creation: reported, format: format)
            logger.debug(
                "EPMD registered node",
                metadata: ["name": "\(node.name)", "port": "\(node.port)", "creation": "\(reported)"])
            send(context: context, close: false) { reply.encode(into: &$0) }
        case .refused(let refusal):
            // OTP's epmd answers every refusal with result 1 and creation 99.
            let reply = EPMDAlive2Response(result: 1, creation: 99, format: format)
            logger.debug("EPMD refused node", metadata: ["name": "\(node.name)", "reason": "\(refusal)"])
            send(context: context, close: true) { reply.encode(into: &$0) }
        }
    }

    private func send(context: ChannelHandlerContext, close: Bool, _ write: (inout ByteBuffer) -> Void) {
        var buffer = context.channel.allocator.buffer(capacity: 64)
        write(&buffer)
        let written = context.writeAndFlush(wrapOutboundOut(buffer))
        if close {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// Whether `peer` is on this host, as `epmd` decides it: a loopback address, or the address
    /// the connection arrived on.
    static func isLocal(peer: SocketAddress?, local: SocketAddress?) -> Bool {
        guard let peer, let peerIP = peer.ipAddress else { return false }
        if peerIP.hasPrefix("127.") || peerIP == "::1" || peerIP.hasPrefix("::ffff:127.") { return true }
        return peerIP == local?.ipAddress
    }
}
