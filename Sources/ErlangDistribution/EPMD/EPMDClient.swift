public import NIOCore
public import NIOPosix

/// Talks to an EPMD (OTP's `epmd` or Colony's ``EPMDServer``) over TCP.
///
/// Each call opens its own connection: ``register(name:port:hidden:extra:epmdHost:epmdPort:)``
/// keeps it open for as long as the registration lives; ``lookup(name:host:port:)`` and
/// ``names(host:port:)`` close it after the reply. Every call is bounded by ``connectTimeout`` and
/// ``replyTimeout`` and fails with ``EPMDError``.
public struct EPMDClient: Sendable {
    /// The event loops the connections run on.
    public var group: any EventLoopGroup
    /// How long to wait for a TCP connection to EPMD.
    public var connectTimeout: TimeAmount
    /// How long to wait for EPMD's reply once connected.
    public var replyTimeout: TimeAmount

    /// A client.
    ///
    /// - Parameters:
    ///   - group: the event loops to use; NIO's shared singleton group by default.
    ///   - connectTimeout: the bound on connecting.
    ///   - replyTimeout: the bound on waiting for a reply (OTP's own client waits 10 seconds).
    public init(
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, connectTimeout: TimeAmount = .seconds(5),
        replyTimeout: TimeAmount = .seconds(10)
    ) {
        self.group = group
        self.connectTimeout = connectTimeout
        self.replyTimeout = replyTimeout
    }

    /// Registers a node (`ALIVE2_REQ`) and keeps the registration open.
    ///
    /// The node registers as speaking distribution version 6 only, over TCP/IPv4, as OTP 25 does.
    ///
    /// - Parameters:
    ///   - name: the node name without the host part (`a` for `a@127.0.0.1`).
    ///   - port: the TCP port on which the node accepts distribution connections.
    ///   - hidden: register as a hidden node (node type 72) instead of a normal one (77).
    ///   - extra: the opaque extra field (at most 1020 bytes).
    ///   - epmdHost: where EPMD runs; nodes register with the EPMD on their own host.
    ///   - epmdPort: EPMD's port (4369 unless `ERL_EPMD_PORT` says otherwise).
    /// - Returns: the registration, holding the connection and the creation EPMD gave the node.
    /// - Throws: ``EPMDError/nameTaken(name:result:)`` when EPMD refuses the name, and the other
    ///   ``EPMDError`` cases when EPMD cannot be reached or replies badly.
    public func register(
        name: String, port: Int, hidden: Bool = false, extra: [UInt8] = [], epmdHost: String = "127.0.0.1",
        epmdPort: Int = EPMD.defaultPort
    ) async throws(EPMDError) -> EPMDRegistration {
        try Self.validate(name: name)
        guard let nodePort = UInt16(exactly: port) else {
            throw .invalidArgument("distribution port \(port) is not between 0 and 65535")
        }
        guard extra.count <= EPMDLimits.maximumFieldBytes else {
            throw .invalidArgument("extra field of \(extra.count) bytes is longer than \(EPMDLimits.maximumFieldBytes)")
        }
        let node = EPMDNodeInfo(name: name, port: nodePort, nodeType: hidden ? .hidden : .normal, extra: extra)
        let (reply, channel) = try await exchange(
            host: epmdHost, port: epmdPort, request: .alive2(node),
            parse: { (buffer: inout ByteBuffer, _: Bool) throws(EPMDDecodingError) in
                try EPMDAlive2Response.read(from: &buffer)
            })
        guard reply.succeeded else {
            channel.close(promise: nil)
            throw .nameTaken(name: name, result: reply.result)
        }
        return EPMDRegistration(node: node, creation: reply.creation, channel: channel)
    }

    /// Looks a node up by name (`PORT_PLEASE2_REQ`).
    ///
    /// - Parameters:
    ///   - name: the node name without the host part.
    ///   - host: the host whose EPMD to ask: the host part of the node's full name.
    ///   - port: EPMD's port.
    /// - Returns: what the node registered (distribution port, node type, versions, extra), or
    ///   `nil` when no node of that name is registered there.
    public func lookup(
        name: String, host: String = "127.0.0.1", port: Int = EPMD.defaultPort
    ) async throws(EPMDError) -> EPMDNodeInfo? {
        try Self.validate(name: name)
        let (reply, channel) = try await exchange(
            host: host, port: port, request: .portPlease2(name: name),
            parse: { (buffer: inout ByteBuffer, _: Bool) throws(EPMDDecodingError) in
                try EPMDPort2Response.read(from: &buffer)
            })
        channel.close(promise: nil)
        switch reply {
        case .found(let node): return node
        case .notFound: return nil
        }
    }

    /// Lists every node registered with an EPMD (`NAMES_REQ`), as `net_adm:names/1` does.
    ///
    /// - Parameters:
    ///   - host: the host whose EPMD to ask.
    ///   - port: EPMD's port.
    /// - Returns: each registered name with its distribution port, in the order EPMD lists them.
    public func names(
        host: String = "127.0.0.1", port: Int = EPMD.defaultPort
    ) async throws(EPMDError) -> [(name: String, port: Int)] {
        try await namesResponse(host: host, port: port).entries.map { ($0.name, $0.port) }
    }

    /// The whole `NAMES_RESP`, including the port EPMD reports for itself.
    public func namesResponse(
        host: String = "127.0.0.1", port: Int = EPMD.defaultPort
    ) async throws(EPMDError) -> EPMDNamesResponse {
        let (reply, channel) = try await exchange(
            host: host, port: port, request: .names,
            parse: { (buffer: inout ByteBuffer, closed: Bool) throws(EPMDDecodingError) in
                closed ? try EPMDNamesResponse(decoding: buffer) : nil
            })
        channel.close(promise: nil)
        return reply
    }

    /// Connects, sends `request` and waits for the reply that `parse` recognizes.
    ///
    /// - Returns: the reply and the still-open channel; the caller closes it.
    private func exchange<Reply: Sendable>(
        host: String, port: Int, request: EPMDRequest, parse: @escaping EPMDReplyHandler<Reply>.Parser
    ) async throws(EPMDError) -> (Reply, any Channel) {
        let eventLoop = group.next()
        let promise = eventLoop.makePromise(of: Reply.self)
        let bytes = request.encoded()
        let timeout = replyTimeout
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(connectTimeout)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            EPMDReplyHandler(
                                request: bytes, timeout: timeout, host: host, port: port, promise: promise,
                                parse: parse))
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            let failure = EPMDError.unreachable(host: host, port: port, reason: String(describing: error))
            promise.fail(failure)
            throw failure
        }
        do {
            return (try await promise.futureResult.get(), channel)
        } catch {
            channel.close(promise: nil)
            throw (error as? EPMDError) ?? .unreachable(host: host, port: port, reason: String(describing: error))
        }
    }

    private static func validate(name: String) throws(EPMDError) {
        let bytes = name.utf8
        guard !bytes.isEmpty, bytes.count <= EPMDLimits.maximumFieldBytes, !bytes.contains(0),
            name.unicodeScalars.count <= EPMDLimits.maximumNameCharacters
        else { throw .invalidArgument("node name \(String(reflecting: name)) is empty, too long or contains NUL") }
    }
}
