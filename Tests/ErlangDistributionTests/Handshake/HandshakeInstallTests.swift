import ErlangDistribution
import NIOCore
import NIOPosix
import Testing

/// Installing the handshake on a channel that closed first (a TLS peer that refused this node
/// closes it before the handshake is added): an error, not a leaked promise, which a debug build
/// traps on.
@Suite("Handshake installation")
struct HandshakeInstallTests {
    @Test("installing on a closed channel throws, and its promise does not leak")
    func closedChannel() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)
        let channel = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get()
        try await channel.close()
        let configuration = try HandshakeConfiguration(
            localName: "install@127.0.0.1", localCreation: 1, cookie: .fixed("cookie"))
        let machine = HandshakeStateMachine(initiating: configuration, to: "peer@127.0.0.1", challenge: 7)
        let outcome = try await channel.eventLoop.submit { () -> Bool in
            do {
                _ = try HandshakeHandler.install(on: channel, machine: machine)
                return false
            } catch {
                return true
            }
        }.get()
        #expect(outcome, "installing on a closed channel must throw")
        try await server.close()
        try await group.shutdownGracefully()
    }
}
