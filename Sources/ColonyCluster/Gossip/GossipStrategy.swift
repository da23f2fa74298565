public import Colony
import ErlangTerm
import Glibc
import Logging
import NIOCore
import NIOPosix

/// libcluster's Gossip strategy, on the wire format of ``GossipPacket``: every node sends its
/// heartbeat to a UDP multicast group (or broadcast address) at random intervals and connects to
/// the nodes it hears. Several nodes on one host share the port (`SO_REUSEADDR` and
/// `SO_REUSEPORT`), where libcluster users meet `eaddrinuse` (its issue #206).
public struct GossipStrategy: DiscoveryStrategy {
    /// Where and how to gossip.
    public struct Options: Sendable, Equatable {
        /// The UDP port (libcluster's default 45892).
        public var port = 45892
        /// The multicast group (libcluster's default 233.252.1.32), or the broadcast address.
        public var multicastAddress = "233.252.1.32"
        /// The interface to gossip on, by its IPv4 address; `0.0.0.0`: the system's choice.
        public var interface = "0.0.0.0"
        /// The multicast TTL (1: this network only).
        public var ttl: UInt8 = 1
        /// The shared secret; heartbeats are then encrypted and others ignored.
        public var secret: String?
        /// The longest wait between heartbeats; each wait is random up to it (libcluster: 5 s).
        public var maximumInterval: Duration = .seconds(5)

        /// libcluster's defaults.
        public init() {}
    }

    public let options: Options
    public var name: String { "gossip" }
    private let logger = Logger(label: "colony.cluster.gossip")

    /// Gossip with `options`.
    public init(options: Options = Options()) {
        self.options = options
    }

    public func run(on node: Node, report: @escaping @Sendable (DiscoverySighting) -> Void) async throws {
        typealias Datagram = AddressedEnvelope<ByteBuffer>
        let group = try SocketAddress(ipAddress: options.multicastAddress, port: options.port)
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.socketOption(.init(rawValue: SO_REUSEPORT)), value: 1)
            .channelOption(.socketOption(.so_broadcast), value: 1)
            .channelOption(.ipOption(.ip_multicast_ttl), value: Int(options.ttl))
            .channelOption(.ipOption(.ip_multicast_loop), value: 1)
            .bind(host: "0.0.0.0", port: options.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<Datagram, Datagram>(wrappingChannelSynchronously: channel)
                }
            }
        do {
            try await join(channel.channel, group: group)
        } catch {
            try? await channel.channel.close()
            throw error
        }
        let local = node.name
        let secret = options.secret
        let maximum = options.maximumInterval
        try await channel.executeThenClose { inbound, outbound in
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask {
                    // libcluster sends the first heartbeat at once, then after random waits.
                    while !Task.isCancelled {
                        let packet = try GossipPacket.encode(node: local, secret: secret)
                        try await outbound.write(Datagram(remoteAddress: group, data: ByteBuffer(bytes: packet)))
                        let limit = max(
                            1,
                            Int(
                                maximum.components.seconds * 1000 + maximum.components.attoseconds
                                    / 1_000_000_000_000_000))
                        try await Task.sleep(for: .milliseconds(Int.random(in: 1...limit)))
                    }
                }
                tasks.addTask {
                    for try await datagram in inbound {
                        guard datagram.data.readableBytes <= 2048,
                            let name = GossipPacket.decode(Array(datagram.data.readableBytesView), secret: secret),
                            name != local
                        else { continue }
                        report(.heard(name))
                    }
                }
                try await tasks.next()
                tasks.cancelAll()
            }
        }
    }

    /// Joins the multicast group on the configured interface (not for a broadcast address).
    private func join(_ channel: any Channel, group: SocketAddress) async throws {
        guard let first = options.multicastAddress.split(separator: ".").first.flatMap({ Int($0) }),
            (224...239).contains(first), let multicast = channel as? any MulticastChannel
        else { return }
        var device: NIONetworkDevice?
        if options.interface != "0.0.0.0" {
            let target = try SocketAddress(ipAddress: options.interface, port: 0)
            device = try System.enumerateDevices().first { $0.address == target }
            guard device != nil else { throw GossipError.noInterface(options.interface) }
            // Linux does not need IFF_MULTICAST on `lo` to deliver multicast there; NIO checks it.
            if device?.multicastSupported == false { device?.multicastSupported = true }
        }
        try await multicast.joinGroup(group, device: device).get()
        if case .v4(let address)? = device?.address, let provider = channel as? any SocketOptionProvider {
            try await provider.setIPMulticastIF(address.address.sin_addr).get()
        }
        logger.info("gossiping on \(options.multicastAddress):\(options.port) via \(options.interface)")
    }
}

/// Why gossip cannot start.
public enum GossipError: Error, CustomStringConvertible {
    /// No network interface has this IPv4 address.
    case noInterface(String)

    public var description: String {
        switch self {
        case .noInterface(let address): "no network interface has the address \(address)"
        }
    }
}
