import Foundation
import NIOCore
import NIOPosix

/// Asks one DNS server one question over UDP and reads its answers (``DNSMessage``).
public struct DNSClient: Sendable {
    /// The server's IPv4 address.
    public let host: String
    /// The server's port.
    public let port: Int
    /// How long to wait for the answer.
    public let timeout: Duration

    /// A client of the server at `host`:`port`.
    public init(host: String, port: Int = 53, timeout: Duration = .seconds(2)) {
        self.host = host
        self.port = port
        self.timeout = timeout
    }

    /// The first `nameserver` of `/etc/resolv.conf`, or 127.0.0.53 (systemd-resolved).
    public static func system(timeout: Duration = .seconds(2)) -> DNSClient {
        let text = (try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)) ?? ""
        let server =
            text.split(separator: "\n").compactMap { line -> String? in
                let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard parts.count >= 2, parts[0] == "nameserver", parts[1].split(separator: ".").count == 4 else {
                    return nil
                }
                return String(parts[1])
            }.first ?? "127.0.0.53"
        return DNSClient(host: server, timeout: timeout)
    }

    /// The answers to `name`'s records of `type`.
    public func resolve(_ name: String, type: DNSMessage.RecordType) async throws -> [DNSMessage.Record] {
        typealias Datagram = AddressedEnvelope<ByteBuffer>
        let id = UInt16.random(in: 0...UInt16.max)
        let query = try DNSMessage.query(id: id, name: name, type: type)
        let server = try SocketAddress(ipAddress: host, port: port)
        let local = host.hasPrefix("127.") ? "127.0.0.1" : "0.0.0.0"
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 4096))
            .bind(host: local, port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<Datagram, Datagram>(wrappingChannelSynchronously: channel)
                }
            }
        let timeout = self.timeout
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(Datagram(remoteAddress: server, data: ByteBuffer(bytes: query)))
            return try await withThrowingTaskGroup(of: [DNSMessage.Record]?.self) { group in
                group.addTask {
                    for try await datagram in inbound where datagram.remoteAddress == server {
                        // Another id (a late answer to an earlier query) is not ours: keep waiting.
                        do {
                            return try DNSMessage.answers(Array(datagram.data.readableBytesView), id: id)
                        } catch DNSError.mismatchedID {
                            continue
                        }
                    }
                    return nil
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let records = first else { throw DNSError.timeout }
                return records
            }
        }
    }
}
