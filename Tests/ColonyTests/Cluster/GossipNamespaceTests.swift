import ColonyTestSupport
import Foundation
import Testing

/// Gossip for real: five `colony node --gossip` processes in a network namespace the test creates
/// (multicast on its loopback), with and without a secret, find and connect each other; an
/// Elixir node sending libcluster-format heartbeats (written here from the format) is found and
/// connected; garbage and wrongly encrypted packets are ignored. The namespace and every process
/// go by PID and name at the end, also on failure.
@Suite("Cluster: gossip in a network namespace", .serialized)
struct GossipNamespaceTests {
    static func canCreateNamespaces() -> Bool { NetworkNamespace.isAvailable }

    static let elixirHeartbeats = #"""
        port = String.to_integer(System.fetch_env!("GOSSIP_PORT"))
        secret = System.get_env("GOSSIP_SECRET")
        {:ok, socket} =
          :gen_udp.open(0, [:binary, active: false, ip: {127, 0, 0, 1}, multicast_if: {127, 0, 0, 1},
                            multicast_ttl: 1, multicast_loop: true])
        plain = IO.iodata_to_binary(["heartbeat::", :erlang.term_to_binary(%{node: node()})])
        pad = fn message ->
          size = 16 - rem(byte_size(message), 16)
          message <> :binary.copy(<<size>>, size)
        end
        encrypt = fn message, key ->
          iv = :crypto.strong_rand_bytes(16)
          iv <> :crypto.crypto_one_time(:aes_256_cbc, :crypto.hash(:sha256, key), iv, pad.(message), true)
        end
        packet = if secret, do: encrypt.(plain, secret), else: plain
        garbage = [
          :crypto.strong_rand_bytes(40),
          "heartbeat::" <> <<131, 116, 0, 0, 0, 1, 100, 0, 4, "node", 100, 255, 255>>,
          encrypt.(plain, "the wrong secret"),
          "heartbeat::" <> :erlang.term_to_binary(%{node: "not an atom"})
        ]
        IO.puts("READY")
        Enum.each(1..200, fn _ ->
          Enum.each(garbage, fn g -> :gen_udp.send(socket, {233, 252, 1, 32}, port, g) end)
          :gen_udp.send(socket, {233, 252, 1, 32}, port, packet)
          Process.sleep(250)
        end)
        """#

    @Test(
        "colony nodes find each other and an Elixir node by gossip, with and without a secret",
        .enabled(if: canCreateNamespaces(), "needs root to create a network namespace"),
        .timeLimit(.minutes(3)))
    func gossip() async throws {
        for secret in [nil, "s3cret"] as [String?] {
            let namespace = try await NetworkNamespace(name: "colony-gossip-\(UInt32.random(in: 0...UInt32.max))")
            var processes: [ExternalProcess] = []
            defer {
                for process in processes { process.kill() }
                namespace.delete()
            }
            let colony = try ColonyBinary.url
            let gossipPort = "45892"
            let epmdPort = "4369"
            var names: [String] = []
            for index in 1...5 {
                let name = "g\(index)@127.0.0.1"
                names.append(name)
                var arguments = [
                    "node", "--name", name, "--cookie", "gossip", "--epmd-port", epmdPort, "--listen", "127.0.0.1",
                    "--gossip", "--gossip-interface", "127.0.0.1", "--gossip-port", gossipPort,
                ]
                if let secret { arguments += ["--gossip-secret", secret] }
                let node = try namespace.start(colony, arguments)
                processes.append(node)
                // One at a time: the first one starts the namespace's EPMD.
                #expect(await node.waitForOutput("started", timeout: .seconds(20)), "\(node.standardError)")
            }
            let elixir = try #require(ExternalProcess.find("elixir"), "elixir is not installed")
            let script = FileManager.default.temporaryDirectory.appendingPathComponent(
                "gossip-\(UUID().uuidString).exs")
            try Self.elixirHeartbeats.write(to: script, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: script) }
            var environment: [String: String?] = ["ERL_EPMD_PORT": epmdPort, "GOSSIP_PORT": gossipPort]
            environment["GOSSIP_SECRET"] = secret
            let ex = try namespace.start(
                elixir,
                [
                    "--name", "gx@127.0.0.1", "--cookie", "gossip", "--erl",
                    "-start_epmd false -kernel inet_dist_use_interface {127,0,0,1}", script.path,
                ], environment: environment)
            processes.append(ex)
            #expect(await ex.waitForOutput("READY", timeout: .seconds(40)), "\(ex.standardError)")

            // Each Colony node connects to the two others and to the Elixir node.
            let deadline = ContinuousClock.now + .seconds(40)
            func missing() -> [String] {
                var missing: [String] = []
                for (index, node) in processes.prefix(5).enumerated() {
                    let output = node.standardOutput
                    for other in names + ["gx@127.0.0.1"] where other != names[index] {
                        if !output.contains("nodeup '\(other)'") { missing.append("\(names[index]) → \(other)") }
                    }
                }
                return missing
            }
            while ContinuousClock.now < deadline, !missing().isEmpty { try await Task.sleep(for: .milliseconds(200)) }
            #expect(missing().isEmpty, "secret \(secret ?? "none"): not connected: \(missing())")
            for node in processes.prefix(5) {
                #expect(node.isRunning, "a node stopped (garbage?): \(node.standardError)")
            }
        }
    }
}
