import ClusterExampleKit
import Colony
import ColonyTestSupport
import ErlangDistribution
import ErlangTerm
import Foundation
import Testing

/// Distributed actors, rpc and the task runner against worker nodes in separate OS processes
/// (`cluster-example worker`), with a driver node in the test process.
@Suite("Cluster of OS processes: actors, rpc, task runner", .timeLimit(.minutes(2)))
struct ClusterProcessTests {
    final class Cluster: Sendable {
        let epmd: EPMDServer
        let workers: [ExternalProcess]
        let driver: Node
        let system: ColonyActorSystem
        static let names: [Atom] = ["cp_one@127.0.0.1", "cp_two@127.0.0.1"]

        init(_ label: String) async throws {
            let epmd = try await EPMDServer.start(host: "127.0.0.1", port: 0)
            self.epmd = epmd
            let binary = try ColonyBinary.executable("cluster-example")
            workers = Self.names.map {
                ExternalProcess(executable: binary, arguments: ["worker", $0.name, "cluster", String(epmd.port)])
            }
            do {
                for worker in workers { try worker.start() }
            } catch {
                for worker in workers { worker.kill() }
                throw error
            }
            for worker in workers {
                #expect(await worker.waitForOutput("ready", timeout: .seconds(30)), "\(worker.standardError)")
            }
            var configuration = NodeConfiguration(name: "cp_driver_\(label)@127.0.0.1", cookie: "cluster")
            configuration.epmdPort = epmd.port
            configuration.listenAddress = "127.0.0.1"
            configuration.startsEPMDServer = false
            do {
                driver = try await Node.start(configuration)
            } catch {
                for worker in workers { worker.kill() }
                throw error
            }
            system = ColonyActorSystem(node: driver)
            for name in Self.names { #expect(await driver.connect(to: name) == .connected) }
        }

        /// Kills the worker OS processes by PID; safe to call again.
        func killWorkers() {
            for worker in workers { worker.kill() }
        }

        func stop() async {
            killWorkers()
            await driver.stop()
            await epmd.stop()
        }
    }

    @Test("the example's demo walks through messenger, task runner and actor calls")
    func demo() async throws {
        let example = ExternalProcess(executable: try ColonyBinary.executable("cluster-example"), arguments: ["demo"])
        try example.start()
        defer { example.kill() }
        #expect(await example.wait(timeout: .seconds(60)) == 0, "\(example.standardError)")
        let lines = example.standardOutput.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                "connect connected connected", "remote_call {ok,49}",
                "remote_call_fail {error,{rpc_failed,{badrpc,{'EXIT',{error,deliberate}}}}}",
                "async_result 'worker_two@127.0.0.1'",
                "multicast 'worker_one@127.0.0.1' 'worker_two@127.0.0.1' bad 0", "task squares 1 4 9 16",
                "task nodes 'driver@127.0.0.1' 'worker_one@127.0.0.1' 'worker_two@127.0.0.1'", "inventory add 5",
                "inventory take 2", "inventory refused only 2 apple left", "inventory home worker_one@127.0.0.1",
            ], "\(example.standardOutput)")
    }

    @Test("typed actor calls, a thrown error, a timeout, and 10,000 ordered calls to another OS process")
    func actorCalls() async throws {
        let cluster = try await Cluster("calls")
        defer { cluster.killWorkers() }
        let inventory = try cluster.system.resolve(name: "inventory", on: Cluster.names[0], as: Inventory.self)
        #expect(try await inventory.add("pear", quantity: 4) == 4)
        #expect(try await inventory.take("pear", quantity: 1) == 3)
        #expect(try await inventory.all() == ["pear": 3])
        await #expect(
            throws: ColonyActorError.remote(
                type: "ClusterExampleKit.Inventory.Refusal", description: "only 3 pear left")
        ) {
            try await inventory.take("pear", quantity: 9)
        }
        await #expect(throws: ColonyActorError.timeout) {
            try await cluster.system.withCallTimeout(.milliseconds(100)) {
                try await inventory.slowEcho("late", milliseconds: 1000)
            }
        }
        for value in 0..<10_000 { try await inventory.record(value) }
        #expect(try await inventory.recorded() == Array(0..<10_000))
        await cluster.stop()
    }

    @Test("a watch on an actor reports noconnection when its node is killed; later calls say nodeDown")
    func watchNodeKill() async throws {
        let cluster = try await Cluster("watch")
        defer { cluster.killWorkers() }
        let inventory = try cluster.system.resolve(name: "inventory", on: Cluster.names[1], as: Inventory.self)
        #expect(try await inventory.home() == Cluster.names[1].name)
        let watch = await cluster.system.watch(inventory.id)
        cluster.workers[1].kill()
        #expect(await watch.reason() == "noconnection")
        await #expect(throws: ColonyActorError.nodeDown(Cluster.names[1])) { try await inventory.home() }
        await cluster.stop()
    }

    @Test("rpc to worker processes: results, errors, multicall with a dead node")
    func rpc() async throws {
        let cluster = try await Cluster("rpc")
        defer { cluster.killWorkers() }
        let outcome = try await cluster.driver.runProcess(timeout: .seconds(30)) { process -> [Term] in
            var seen: [Term] = []
            seen.append(try await process.rpc(Cluster.names[0], "work", "square", [12]))
            do {
                _ = try await process.rpc(Cluster.names[1], "work", "missing", [])
            } catch let error as RPCError {
                seen.append(error.rpcResult)
            }
            let all = try await process.multicall(Cluster.names + ["cp_none@127.0.0.1"], "work", "whoami", [])
            seen.append(.list(all.map { (try? $0.get()) ?? "failed" }))
            let (results, bad) = try await process.rpcMulticall(
                Cluster.names + ["cp_none@127.0.0.1"], "work", "whoami", [], timeout: .seconds(5))
            seen.append(.tuple([.list(results), .list(bad.map(Term.atom))]))
            return seen
        }
        #expect(
            outcome == [
                144,
                .tuple([
                    "badrpc",
                    .tuple(["EXIT", .tuple(["undef", .list([.tuple(["work", "missing", .list([]), .list([])])])])]),
                ]),
                .list([.atom(Cluster.names[0]), .atom(Cluster.names[1]), "failed"]),
                .tuple([.list(Cluster.names.map(Term.atom)), .list(["cp_none@127.0.0.1"])]),
            ])
        await cluster.stop()
    }

    @Test("the task runner retries on another node when the chosen one is killed mid-task")
    func taskRunnerRetry() async throws {
        let cluster = try await Cluster("runner")
        defer { cluster.killWorkers() }
        let runner = try await DistributedTaskRunner.start(on: cluster.driver, name: nil)
        // The driver has no `work` functions: its turn fails at once and the task moves on to a
        // worker; the worker that starts it is killed while it runs.
        let result = Task { try await runner.run("work", "slow_square", [9, 1500], timeout: .seconds(60)) }
        var running: Int?
        for _ in 0..<400 where running == nil {
            running = cluster.workers.firstIndex { $0.standardOutput.contains("running slow_square 9") }
            if running == nil { try await Task.sleep(for: .milliseconds(25)) }
        }
        let first = try #require(running)
        cluster.workers[first].kill()
        #expect(try await result.value == 81)
        let other = cluster.workers[1 - first]
        #expect(other.standardOutput.contains("running slow_square 9"))
        await cluster.stop()
    }
}
