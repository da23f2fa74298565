import ErlangDistribution
import ErlangTerm
import Foundation
import Logging
import NIOCore
import NIOPosix

/// A peer that completes a real handshake with a node and then writes whatever bytes a test hands
/// it: malformed frames, atom floods, fragment bombs. It never sends ticks, and as a slow reader it
/// stops reading.
final class HostileClient: Sendable {
    let channel: any Channel
    let name: String

    /// Connects to the node listening on `port` as `name` and runs the handshake.
    static func connect(port: Int, to node: Atom, name: String, cookie: String) async throws -> HostileClient {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port).get()
        let configuration = try HandshakeConfiguration(
            localName: name, localCreation: 77, localFlags: .colonyHidden, cookie: .fixed(cookie))
        let machine = HandshakeStateMachine(initiating: configuration, to: node.name, challenge: 12345)
        _ = try await channel.eventLoop.flatSubmit {
            do {
                return try HandshakeHandler.install(on: channel, machine: machine)
            } catch {
                return channel.eventLoop.makeFailedFuture(error)
            }
        }.get()
        return HostileClient(channel: channel, name: name)
    }

    private init(channel: any Channel, name: String) {
        self.channel = channel
        self.name = name
    }

    /// Writes `bytes` as one length-prefixed distribution frame.
    func send(frame bytes: [UInt8]) async throws {
        var buffer = channel.allocator.buffer(capacity: bytes.count + 4)
        buffer.writeInteger(UInt32(bytes.count))
        buffer.writeBytes(bytes)
        try await channel.writeAndFlush(buffer)
    }

    /// Stops reading from the socket: the node's writes pile up in its buffers and the kernel's.
    func stopReading() async throws {
        try await channel.setOption(ChannelOptions.autoRead, value: false).get()
    }

    func close() async {
        try? await channel.close()
    }
}

/// Raw External Term Format pieces, written by hand so that nothing is interned on this side.
enum RawETF {
    /// A distribution header with no atom cache references, as frames without cached atoms have.
    static let header: [UInt8] = [131, 68, 0]

    static func atom(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        return [118, UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
    }

    static func pid(_ pid: PID) throws -> [UInt8] {
        Array(try ETF.encode(.pid(pid)).dropFirst())
    }

    /// `{6, From, '', ToName}`: REG_SEND.
    static func registeredSend(from: PID, to name: String) throws -> [UInt8] {
        [104, 4, 97, 6] + (try pid(from)) + atom("") + atom(name)
    }

    /// A list of `count` atoms no one has made before.
    static func freshAtoms(_ count: Int, tag: String) -> [UInt8] {
        var bytes: [UInt8] = [108] + withUnsafeBytes(of: UInt32(count).bigEndian, Array.init)
        for index in 0..<count { bytes += atom("flood_\(tag)_\(index)_\(UUID().uuidString.prefix(8))") }
        return bytes + [106]
    }

    /// Lists nested `depth` deep.
    static func nested(_ depth: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(depth * 6 + 1)
        for _ in 0..<depth { bytes += [108, 0, 0, 0, 1] }
        bytes.append(106)
        bytes += [UInt8](repeating: 106, count: depth)
        return bytes
    }

    /// The first fragment of a sequence that never finishes: `size` bytes of junk.
    static func firstFragment(sequence: UInt64, size: Int) -> [UInt8] {
        [131, 69] + withUnsafeBytes(of: sequence.bigEndian, Array.init)
            + withUnsafeBytes(of: UInt64(1000).bigEndian, Array.init) + [0]
            + [UInt8](repeating: 0x61, count: size)
    }
}

/// The peak resident memory of this OS process (`VmHWM`), in KiB.
func residentHighWaterKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
    }
    return 0
}
