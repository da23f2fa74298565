import Colony
import ColonyTestSupport
import ErlangTerm
import Testing

/// EPMD-less mode: every node listens on the same fixed port and reaches its peers there, so two
/// nodes on one machine need two loopback addresses.
@Suite("EPMD-less nodes")
struct EPMDLessTests {
    @Test("two nodes without EPMD connect on a fixed port and exchange messages")
    func fixedPort() async throws {
        let port = try Int(ExternalProcess.freeLoopbackPort())
        func configuration(_ name: String, _ address: String) -> NodeConfiguration {
            var configuration = NodeConfiguration(name: name, cookie: "epmdless")
            configuration.usesEPMD = false
            configuration.distributionPort = port
            configuration.listenAddress = address
            return configuration
        }
        let a = try await Node.start(configuration("a@127.0.0.1", "127.0.0.1"))
        let b = try await Node.start(configuration("b@127.0.0.2", "127.0.0.2"))
        defer {
            Task {
                await a.stop()
                await b.stop()
            }
        }
        #expect(a.distributionPort == port && b.distributionPort == port)
        let echo = b.spawn { process in
            while true {
                let message = try await process.receive()
                if case .tuple(let t) = message, t.count == 2, case .pid(let from) = t[0] {
                    await process.send(t[1], to: from)
                }
            }
        }
        b.register("echo", pid: echo)
        #expect(await a.connect(to: "b@127.0.0.2") == .connected)
        #expect(a.nodes() == ["b@127.0.0.2"])
        // The acceptor records the connection when its side of the handshake completes.
        for _ in 0..<100 where b.nodes().isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        #expect(b.nodes() == ["a@127.0.0.1"])
        let reply = Box()
        a.spawn { process in
            await process.send(.tuple([.pid(process.pid), "hello"]), to: "echo", on: "b@127.0.0.2")
            reply.set(try await process.receive(timeout: .seconds(5)) ?? "timeout")
        }
        #expect(await reply.wait(timeout: .seconds(10)) == "hello")
        #expect(await a.ping("b@127.0.0.2"))
    }
}
