import ColonyTestSupport
import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import ErlangDistribution

/// Helpers shared by the EPMD tests.
enum EPMDTestSupport {
    /// A buffer holding `bytes`.
    static func buffer(_ bytes: [UInt8]) -> ByteBuffer {
        ByteBuffer(bytes: bytes)
    }

    /// A buffer holding the bytes of a hex string (`"76006b0b"`).
    static func buffer(hex: String) -> ByteBuffer {
        buffer(bytes(hex: hex))
    }

    /// The bytes of a hex string.
    static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map {
            UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)!
        }
    }

    /// Runs `body` with a Colony EPMD server on 127.0.0.1 (on a port the system picks), and stops
    /// the server afterwards, also when `body` throws.
    static func withServer<R>(
        idleTimeout: TimeAmount = .seconds(30), registry: EPMDRegistry = EPMDRegistry(),
        _ body: (EPMDServer) async throws -> R
    ) async throws -> R {
        let server = try await EPMDServer.start(
            host: "127.0.0.1", port: 0, idleTimeout: idleTimeout, registry: registry)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes; returns the last result.
    static func eventually(
        timeout: Duration = .seconds(5), _ condition: () async throws -> Bool
    ) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if try await condition() { return true }
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Connects to 127.0.0.1:`port`, writes `bytes`, and collects what comes back until the
    /// peer closes, `count` bytes have arrived, or `timeout` passes (then the connection is closed).
    ///
    /// - Returns: the bytes received, and whether the peer closed the connection.
    static func rawExchange(
        port: Int, bytes: [UInt8], until count: Int? = nil, timeout: TimeAmount = .seconds(3)
    ) async throws -> (bytes: [UInt8], closedByPeer: Bool) {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let promise = eventLoop.makePromise(of: ([UInt8], Bool).self)
        let channel = try await ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(2))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        RawCollector(request: bytes, count: count, timeout: timeout, promise: promise))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        defer { channel.close(promise: nil) }
        let (received, closed) = try await promise.futureResult.get()
        return (received, closed)
    }

    /// The handler behind ``rawExchange(port:bytes:until:timeout:)``.
    private final class RawCollector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let request: [UInt8]
        let count: Int?
        let timeout: TimeAmount
        let promise: EventLoopPromise<([UInt8], Bool)>
        var received: [UInt8] = []
        var timer: Scheduled<Void>?
        var deadline = NIODeadline.distantFuture

        init(request: [UInt8], count: Int?, timeout: TimeAmount, promise: EventLoopPromise<([UInt8], Bool)>) {
            self.request = request
            self.count = count
            self.timeout = timeout
            self.promise = promise
        }

        func channelActive(context: ChannelHandlerContext) {
            if !request.isEmpty {
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: request)), promise: nil)
            }
            let channel = context.channel
            deadline = .now() + timeout
            timer = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            received += buffer.readBytes(length: buffer.readableBytes) ?? []
            if let count, received.count >= count {
                timer?.cancel()
                promise.succeed((received, false))
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            timer?.cancel()
            promise.succeed((received, NIODeadline.now() < deadline))
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}

/// The OTP executables the interop tests run, found on `PATH`; a missing one fails the test.
struct OTPTools {
    var erl: URL
    var epmd: URL

    static func locate() throws -> OTPTools {
        func find(_ name: String) throws -> URL {
            try #require(
                ExternalProcess.find(name),
                "`\(name)` is not on PATH: the EPMD interop tests need Erlang/OTP (apt-get install erlang-nox)")
        }
        return OTPTools(erl: try find("erl"), epmd: try find("epmd"))
    }

    /// Environment for `erl` and `epmd`: the EPMD port, no crash dumps, no flags from the user.
    static func environment(epmdPort: Int) -> [String: String?] {
        [
            "ERL_EPMD_PORT": String(epmdPort),
            "ERL_CRASH_DUMP_SECONDS": "0",
            "ERL_FLAGS": nil,
            "ERL_AFLAGS": nil,
            "ERL_ZFLAGS": nil,
        ]
    }

    /// An `erl` node that never starts an `epmd` of its own (`-start_epmd false`), so that every
    /// process the test starts is one it can stop by PID.
    func erlNode(name: String?, epmdPort: Int, eval: String?) -> ExternalProcess {
        var arguments = ["-noshell", "-start_epmd", "false", "-setcookie", "colonyepmd"]
        if let name { arguments += ["-name", "\(name)@127.0.0.1"] }
        if let eval { arguments += ["-eval", eval] }
        return ExternalProcess(executable: erl, arguments: arguments, environment: Self.environment(epmdPort: epmdPort))
    }
}
