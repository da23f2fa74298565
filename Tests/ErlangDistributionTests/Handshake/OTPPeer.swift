import ColonyTestSupport
import Foundation
import NIOCore
import NIOPosix
import Testing

/// A real OTP node for interop tests, with its own `epmd` on a free loopback port. Both are
/// stopped by PID: call ``stop()`` in a `defer` right after ``start(name:cookie:eval:)``.
final class OTPPeer: @unchecked Sendable {
    let epmdPort: UInt16
    let distributionPort: UInt16
    private let epmd: ExternalProcess
    private var erl: ExternalProcess?
    private let erlURL: URL
    private let epmdURL: URL

    /// Finds `erl` and `epmd` (failing, not skipping, when Erlang/OTP is missing) and starts a
    /// private `epmd` on 127.0.0.1.
    init() async throws {
        func find(_ name: String) throws -> URL {
            try #require(
                ExternalProcess.find(name),
                "`\(name)` is not on PATH: the handshake interop tests need Erlang/OTP (apt-get install erlang-nox)")
        }
        erlURL = try find("erl")
        epmdURL = try find("epmd")
        epmdPort = try ExternalProcess.freeLoopbackPort()
        distributionPort = try ExternalProcess.freeLoopbackPort()
        epmd = ExternalProcess(
            executable: epmdURL, arguments: ["-port", String(epmdPort), "-address", "127.0.0.1"])
        try epmd.start()
        let listening = await ExternalProcess.waitForListener(port: epmdPort, timeout: .seconds(10))
        if !listening { epmd.kill() }
        try #require(listening, "epmd did not listen on 127.0.0.1:\(epmdPort): \(epmd.standardError)")
    }

    /// Stops `erl` and `epmd`, by their PIDs.
    func stop() {
        erl?.kill()
        epmd.kill()
    }

    /// Starts `erl -name <name> -setcookie <cookie>` listening for distribution on
    /// ``distributionPort``, evaluating `eval` once booted, and waits until it is registered with
    /// `epmd` under that port.
    func start(name: String, cookie: String, eval: String) async throws {
        let process = ExternalProcess(
            executable: erlURL,
            arguments: [
                "-noshell", "-noinput", "-start_epmd", "false",
                "-name", name, "-setcookie", cookie,
                "-kernel", "inet_dist_use_interface", "{127,0,0,1}",
                "-kernel", "inet_dist_listen_min", String(distributionPort),
                "-kernel", "inet_dist_listen_max", String(distributionPort),
                "-eval", eval,
            ],
            environment: [
                "ERL_EPMD_PORT": String(epmdPort), "ERL_CRASH_DUMP_SECONDS": "0",
                "ERL_FLAGS": nil, "ERL_AFLAGS": nil, "ERL_ZFLAGS": nil,
            ])
        erl = process
        try process.start()
        let alive = String(name.prefix { $0 != "@" })
        let expected = "name \(alive) at port \(distributionPort)"
        for _ in 0..<100 {
            let names = try await ExternalProcess.run(
                epmdURL, ["-port", String(epmdPort), "-names"], timeout: .seconds(5))
            if names.standardOutput.contains(expected) { return }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("erl did not register \"\(expected)\" with epmd:\n\(output)")
        throw HandshakeTestSupport.TimedOut(what: "erl to register with epmd")
    }

    /// Everything `erl` wrote so far, standard output then standard error.
    var output: String {
        guard let erl else { return "" }
        return erl.standardOutput + erl.standardError
    }

    /// Waits until `erl`'s output contains `text`; `false` after `timeout`.
    func waitForOutput(containing text: String, timeout: Duration = .seconds(15)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if output.contains(text) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return output.contains(text)
    }

    /// Registers `name` (a short name, `colony`) with this peer's `epmd` as listening on `port`,
    /// with an `ALIVE2_REQ` on a connection that must stay open for the registration to last.
    /// Returns the connection and the creation `epmd` assigned.
    func register(name: String, port: Int) async throws -> (connection: any Channel, creation: UInt32) {
        let connection = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: Int(epmdPort)).get()
        let reply = try await connection.eventLoop.submit {
            let collector = ReplyCollector(promise: connection.eventLoop.makePromise())
            try connection.pipeline.syncOperations.addHandler(collector)
            return collector.promise.futureResult
        }.get()
        var request = ByteBuffer()
        let nameBytes = Array(name.utf8)
        request.writeInteger(UInt16(13 + nameBytes.count))
        request.writeInteger(UInt8(120))  // ALIVE2_REQ
        request.writeInteger(UInt16(port))
        request.writeBytes([77, 0])  // normal node, TCP/IPv4
        request.writeInteger(UInt16(6))  // highest version
        request.writeInteger(UInt16(6))  // lowest version
        request.writeInteger(UInt16(nameBytes.count))
        request.writeBytes(nameBytes)
        request.writeInteger(UInt16(0))  // no extra
        try await connection.writeAndFlush(request).get()
        let bytes = try await HandshakeTestSupport.withTimeout(.seconds(5), "epmd's ALIVE2 reply") {
            try await reply.get()
        }
        guard bytes.count >= 6, bytes[0] == 118, bytes[1] == 0 else {
            connection.close(promise: nil)
            throw HandshakeTestSupport.TimedOut(what: "a successful ALIVE2_X_RESP, got \(bytes)")
        }
        let creation = bytes[2..<6].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return (connection, creation)
    }
}

/// Collects the first 6 bytes a connection receives.
private final class ReplyCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let promise: EventLoopPromise<[UInt8]>
    private var bytes: [UInt8] = []
    private var done = false

    init(promise: EventLoopPromise<[UInt8]>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        bytes += unwrapInboundIn(data).readableBytesView
        if !done, bytes.count >= 6 {
            done = true
            promise.succeed(bytes)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done {
            done = true
            promise.succeed(bytes)
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if !done {
            done = true
            promise.succeed(bytes)
        }
    }
}
