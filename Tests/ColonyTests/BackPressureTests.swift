import Colony
import ColonyTestSupport
import ErlangDistribution
import ErlangTerm
import Foundation
import Testing

/// A peer that does not read: the sender waits instead of buffering without bound, and finishes
/// once the peer reads again.
@Suite("Back-pressure", .serialized)
struct BackPressureTests {
    @Test("sending to a stopped peer suspends the sender; SIGCONT lets it finish")
    func slowReader() async throws {
        let epmdPort = try Int(ExternalProcess.freeLoopbackPort())
        let epmd = try await EPMDServer.start(host: "127.0.0.1", port: epmdPort)
        let peer = try ColonyBinary.startNode(name: "bp_peer@127.0.0.1", cookie: "bp", epmdPort: epmdPort)
        defer {
            peer.signal(SIGCONT)
            peer.kill()
        }
        #expect(await peer.waitForOutput("started", timeout: .seconds(20)))
        var configuration = NodeConfiguration(name: "bp_sender@127.0.0.1", cookie: "bp")
        configuration.epmdPort = epmdPort
        configuration.listenAddress = "127.0.0.1"
        configuration.startsEPMDServer = false
        configuration.tickTime = .seconds(60)
        let node = try await Node.start(configuration)
        #expect(await node.connect(to: "bp_peer@127.0.0.1") == .connected)
        peer.signal(SIGSTOP)

        let total = 200
        let sent = Counter()
        let blob: Term = .binary([UInt8](repeating: 7, count: 1 << 20))
        node.spawn { process in
            for _ in 0..<total {
                await process.send(blob, to: "nobody", on: "bp_peer@127.0.0.1")
                sent.increment()
            }
        }
        try await Task.sleep(for: .seconds(2))
        let whileStopped = sent.value
        // 200 MiB cannot have left: the sender waits above the 4 MiB high-water mark (plus what
        // the kernel's socket buffers hold).
        #expect(whileStopped < 64, "sent \(whileStopped) MiB to a stopped peer")
        peer.signal(SIGCONT)
        for _ in 0..<300 where sent.value < total { try await Task.sleep(for: .milliseconds(50)) }
        #expect(sent.value == total)
        await node.stop()
        await epmd.stop()
    }
}

/// A thread-safe counter for tests.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
