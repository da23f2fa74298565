// The guide's DistributedMessenger and DistributedTaskRunner, and a Swift distributed actor, on a
// cluster of three Colony nodes in three OS processes.
//
//   cluster-example demo                        start two workers and walk through every call
//   cluster-example worker NAME COOKIE EPMD_PORT a worker node (what `demo` starts), until killed
import ClusterExampleKit
import Colony
import ErlangDistribution
import ErlangTerm
import Foundation

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Starts `cluster-example worker` as a child process and waits for its "ready" line.
func startWorker(_ name: String, cookie: String, epmdPort: Int) throws -> Foundation.Process {
    let child = Foundation.Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    child.arguments = ["worker", name, cookie, String(epmdPort)]
    let output = Pipe()
    child.standardOutput = output
    child.standardError = FileHandle.nullDevice
    try child.run()
    let deadline = Date().addingTimeInterval(20)
    var seen = ""
    while Date() < deadline && !seen.contains("ready") {
        seen += String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
    }
    return child
}

func demo() async throws {
    let epmd = try await EPMDServer.start(host: "127.0.0.1", port: 0)
    let cookie = "cluster_demo"
    let workers = try ["worker_one@127.0.0.1", "worker_two@127.0.0.1"].map {
        try startWorker($0, cookie: cookie, epmdPort: epmd.port)
    }
    defer { for worker in workers { worker.terminate() } }
    var configuration = NodeConfiguration(name: "driver@127.0.0.1", cookie: cookie)
    configuration.epmdPort = epmd.port
    configuration.listenAddress = "127.0.0.1"
    let node = try await Node.start(configuration)
    ClusterWorker.registerFunctions(on: node) { _ in }
    let one: Atom = "worker_one@127.0.0.1"
    let two: Atom = "worker_two@127.0.0.1"
    say("connect \(await node.connect(to: one)) \(await node.connect(to: two))")

    // DistributedMessenger.
    let lines = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[String], any Error>) in
        node.spawn { process in
            do {
                var lines: [String] = []
                await DistributedMessenger.send("hello", toNamed: "mailbox", on: one, from: process)
                lines.append(
                    "remote_call \(try await DistributedMessenger.remoteCall(one, "work", "square", [7], from: process))"
                )
                lines.append(
                    "remote_call_fail \(try await DistributedMessenger.remoteCall(one, "work", "fail", [], from: process))"
                )
                let request = await DistributedMessenger.asyncRemoteCall(two, "work", "whoami", [], from: process)
                lines.append("async_result \(try await DistributedMessenger.asyncResult(request, in: process))")
                let (results, bad) = try await DistributedMessenger.multicastCall("work", "whoami", [], from: process)
                lines.append("multicast \(results.map(\.description).sorted().joined(separator: " ")) bad \(bad.count)")
                continuation.resume(returning: lines)
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }
    lines.forEach(say)

    // DistributedTaskRunner: round-robin over the three nodes.
    let runner = try await DistributedTaskRunner.start(on: node)
    var squares: [Term] = []
    for n in 1...4 { squares.append(try await runner.run("work", "square", [.integer(n)])) }
    say("task squares \(squares.map(\.description).joined(separator: " "))")
    var homes: Set<String> = []
    for _ in 0..<3 { homes.insert(try await runner.run("work", "whoami", []).description) }
    say("task nodes \(homes.sorted().joined(separator: " "))")

    // A distributed actor on worker one.
    let system = ColonyActorSystem(node: node)
    let inventory = try system.resolve(name: "inventory", on: one, as: Inventory.self)
    say("inventory add \(try await inventory.add("apple", quantity: 5))")
    say("inventory take \(try await inventory.take("apple", quantity: 3))")
    do {
        _ = try await inventory.take("apple", quantity: 10)
    } catch let ColonyActorError.remote(_, description) {
        say("inventory refused \(description)")
    }
    say("inventory home \(try await inventory.home())")
    await node.stop()
    await epmd.stop()
}

func worker(_ arguments: [String]) async throws {
    guard arguments.count == 3, let port = Int(arguments[2]) else {
        say("usage: cluster-example worker NAME COOKIE EPMD_PORT")
        exit(2)
    }
    let (node, _, _) = try await ClusterWorker.start(name: arguments[0], cookie: arguments[1], epmdPort: port, say: say)
    say("worker \(node.name) ready")
    while true { try await Task.sleep(for: .seconds(3600)) }
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "demo": try await demo()
case "worker": try await worker(Array(arguments.dropFirst()))
default:
    say("usage: cluster-example demo | worker NAME COOKIE EPMD_PORT")
    exit(2)
}
