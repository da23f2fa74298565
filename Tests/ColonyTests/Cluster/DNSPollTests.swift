import Colony
import ColonyCluster
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// DNS discovery against a real DNS server: dnsmasq on a private loopback port, serving A records
/// from a hosts file the test rewrites (dnsmasq watches its folder). A record added is
/// connected within a poll or two; a record removed is disconnected when pruning, and kept
/// otherwise.
@Suite("Cluster: DNS polling against dnsmasq", .serialized)
struct DNSPollTests {
    final class DNSServer {
        let process: ExternalProcess
        let port: Int
        let folder: URL

        init(records: [String]) async throws {
            let dnsmasq = try #require(
                ExternalProcess.find("dnsmasq")
                    ?? (FileManager.default.isExecutableFile(atPath: "/usr/sbin/dnsmasq")
                        ? URL(fileURLWithPath: "/usr/sbin/dnsmasq") : nil),
                "dnsmasq is not installed (scripts/test installs it)")
            port = Int(try ExternalProcess.freeLoopbackPort())
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("colony-dns-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Self.write(records, to: folder)
            process = ExternalProcess(
                executable: dnsmasq,
                arguments: [
                    "--keep-in-foreground", "--conf-file=/dev/null", "--port=\(port)", "--listen-address=127.0.0.1",
                    "--bind-interfaces", "--no-resolv", "--no-hosts", "--hostsdir=\(folder.path)", "--pid-file=",
                    "--user=root", "--local-ttl=0",
                ])
            try process.start()
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                if (try? await DNSClient(host: "127.0.0.1", port: port).resolve("peers.test", type: .a)) != nil {
                    return
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            process.kill()
            throw ExternalProcess.Failure(description: "dnsmasq did not answer: \(process.standardError)")
        }

        /// Replaces the A records of `peers.test`: a new file renamed over the old one, which
        /// dnsmasq (watching the folder) reads at once.
        static func write(_ records: [String], to folder: URL) throws {
            let text = records.map { "\($0) peers.test" }.joined(separator: "\n") + "\n"
            let temporary = folder.appendingPathComponent(".hosts.new")
            try text.write(to: temporary, atomically: false, encoding: .utf8)
            guard rename(temporary.path, folder.appendingPathComponent("hosts").path) == 0 else {
                throw ExternalProcess.Failure(description: "cannot write the hosts file (\(errno))")
            }
        }

        func set(_ records: [String]) throws {
            try Self.write(records, to: folder)
        }

        func stop() {
            process.kill()
            try? FileManager.default.removeItem(at: folder)
        }
    }

    static func startNodes(port: Int) async throws -> [Node] {
        var nodes: [Node] = []
        for (name, address) in [("watcher", "127.0.0.1"), ("peer", "127.0.0.2"), ("peer", "127.0.0.3")] {
            var configuration = NodeConfiguration(name: "\(name)@\(address)", cookie: "dns")
            configuration.usesEPMD = false
            configuration.distributionPort = port
            configuration.listenAddress = address
            configuration.connectsTransitively = false
            nodes.append(try await Node.start(configuration))
        }
        return nodes
    }

    static func waitUntil(_ timeout: Duration, _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    @Test("records added are connected; removed ones are pruned or kept as configured", .timeLimit(.minutes(2)))
    func addAndRemove() async throws {
        for prunes in [true, false] {
            let dns = try await DNSServer(records: ["127.0.0.2"])
            defer { dns.stop() }
            let port = Int(try ExternalProcess.freeLoopbackPort())
            let nodes = try await Self.startNodes(port: port)
            defer { Task { for node in nodes { await node.stop() } } }
            let watcher = nodes[0]
            var options = DNSPollStrategy.Options(query: "peers.test", basename: "peer")
            options.server = DNSClient(host: "127.0.0.1", port: dns.port)
            options.interval = .milliseconds(200)
            var formation = TopologyState.Options()
            formation.prunes = prunes
            let topology = ClusterTopology(
                node: watcher, strategy: DNSPollStrategy(options: options), options: formation,
                tickInterval: .milliseconds(100))
            let running = Task { try await topology.run() }
            defer { running.cancel() }

            let second: Atom = "peer@127.0.0.2"
            let third: Atom = "peer@127.0.0.3"
            #expect(try await Self.waitUntil(.seconds(5)) { watcher.nodes() == [second] }, "\(watcher.nodes())")
            try dns.set(["127.0.0.2", "127.0.0.3"])
            #expect(try await Self.waitUntil(.seconds(5)) { watcher.nodes() == [second, third] }, "\(watcher.nodes())")
            try dns.set(["127.0.0.2"])
            if prunes {
                #expect(try await Self.waitUntil(.seconds(5)) { watcher.nodes() == [second] }, "\(watcher.nodes())")
            } else {
                try await Task.sleep(for: .seconds(1))
                #expect(watcher.nodes() == [second, third], "kept without pruning: \(watcher.nodes())")
            }
            // A listed node that drops is connected again.
            await watcher.disconnect(second)
            #expect(try await Self.waitUntil(.seconds(5)) { watcher.nodes().contains(second) }, "\(watcher.nodes())")
        }
    }
}
