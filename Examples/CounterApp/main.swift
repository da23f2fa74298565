// The guide's CounterSupervisor / CounterRegistry / DistributedCounter, in Swift.
//
//   counter-example demo
//       one node: start, increment, crash (the supervisor restarts), list and stop counters.
//   counter-example cluster NAME COOKIE EPMD_PORT PEER INCREMENTS EXPECTED
//       a node that increments the counter "hits" INCREMENTS times, syncs it with PEER's, and
//       exits once it reads EXPECTED (every node's increments), or fails after 30 seconds.
import Colony
import ColonyData
import ErlangTerm
import Foundation

/// Prints a line unbuffered, so a test reading the output sees it at once.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// The guide's `DistributedApp.Supervisor` children that the counters need: the registry, the
/// replicator that holds and syncs the counters' values (anti-entropy every `syncInterval`), and
/// the dynamic `CounterSupervisor` (max 10 restarts in 60 s).
func startCounters(on node: Node, syncInterval: Duration) async throws -> CounterSupervisor {
    let registry = try Registry.start(on: node, keys: .unique, name: "CounterRegistry")
    var settings = ReplicatorSettings()
    settings.gossipInterval = syncInterval
    let replicator = try await Replicator.start(on: node, settings: settings)
    let pid = try await node.startDynamicSupervisor(maxRestarts: 10, maxSeconds: 60, name: .local("CounterSupervisor"))
    return CounterSupervisor(
        node: node, registry: registry, supervisor: DynamicSupervisorRef(.pid(pid), on: node),
        replicator: replicator)
}

func demo() async throws {
    let node = Node()
    let counters = try await startCounters(on: node, syncInterval: .seconds(1))
    try await counters.startCounter("page_views")
    try await counters.startCounter("signups")
    say("counters \(counters.listCounters())")
    _ = try await counters.call("page_views", .tuple(["increment", 5]))
    let views = try await counters.call("page_views", .tuple(["decrement", 2]))
    say("page_views \(views)")
    say("signups \(try await counters.call("signups", .tuple(["increment", 1])))")

    // A crash: the dynamic supervisor restarts the counter and the registry holds the new process
    // under the same name; the value lives in the replicator, so it survives (in the guide, a
    // restarted counter starts from zero until the next sync).
    let before = counters.registry.whereisName(.string("page_views"))
    _ = try? await counters.call("page_views", "crash")
    var after = counters.registry.whereisName(.string("page_views"))
    for _ in 0..<500 where after == nil || after == before {
        try await Task.sleep(for: .milliseconds(10))
        after = counters.registry.whereisName(.string("page_views"))
    }
    say("restarted \(after != nil && after != before)")
    say("page_views \(try await counters.call("page_views", "value"))")

    say("stop signups \(try await counters.stopCounter("signups"))")
    say("stop missing \(try await counters.stopCounter("missing"))")
    for _ in 0..<500 where counters.listCounters().count > 1 { try await Task.sleep(for: .milliseconds(10)) }
    say("counters \(counters.listCounters())")
}

func cluster(_ arguments: [String]) async throws {
    guard arguments.count == 6, let port = Int(arguments[2]), let increments = Int(arguments[4]),
        let expected = Int(arguments[5])
    else {
        say("usage: counter-example cluster NAME COOKIE EPMD_PORT PEER INCREMENTS EXPECTED")
        exit(2)
    }
    var configuration = NodeConfiguration(name: arguments[0], cookie: arguments[1])
    configuration.epmdPort = port
    configuration.listenAddress = "127.0.0.1"
    let node = try await Node.start(configuration)
    let counters = try await startCounters(on: node, syncInterval: .milliseconds(100))
    try await counters.startCounter("hits")
    for _ in 0..<increments { _ = try await counters.call("hits", .tuple(["increment", 1])) }
    say("local increments \(increments)")
    let deadline = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < deadline {
        _ = await node.connect(to: Atom(arguments[3]))
        if try await counters.call("hits", "value") == .integer(expected) {
            say("converged hits \(expected)")
            // Keep serving a little, so the peer gets this node's state too.
            try await Task.sleep(for: .seconds(1))
            await node.stop()
            return
        }
        try await Task.sleep(for: .milliseconds(50))
    }
    say("not converged: hits \(try await counters.call("hits", "value"))")
    await node.stop()
    exit(1)
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "demo": try await demo()
case "cluster": try await cluster(Array(arguments.dropFirst()))
default:
    say("usage: counter-example demo | cluster NAME COOKIE EPMD_PORT PEER INCREMENTS EXPECTED")
    exit(2)
}
