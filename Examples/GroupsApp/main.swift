// The guide's WorkerPool (pg) and GlobalStateManager (global), in Swift, across OS processes.
//
//   groups-example node NAME COOKIE EPMD_PORT NODES WORKERS
//       a node of NODES (comma-separated, itself included): starts WORKERS pool workers, connects
//       to the others, waits for every node's workers, starts the GlobalStateManager unless another
//       node already runs it (exactly one does), dispatches and broadcasts work, writes its key to
//       the global state and waits until every node's key is there; fails after 60 seconds.
import Colony
import ColonyGroups
import ErlangTerm
import Foundation

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func until(_ deadline: ContinuousClock.Instant, _ condition: () async throws -> Bool) async rethrows -> Bool {
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

func runNode(_ arguments: [String]) async throws {
    guard arguments.count == 5, let port = Int(arguments[2]), let workers = Int(arguments[4]) else {
        say("usage: groups-example node NAME COOKIE EPMD_PORT NODES WORKERS")
        exit(2)
    }
    let all = arguments[3].split(separator: ",").map { Atom(String($0)) }
    var configuration = NodeConfiguration(name: arguments[0], cookie: arguments[1])
    configuration.epmdPort = port
    configuration.listenAddress = "127.0.0.1"
    let node = try await Node.start(configuration)
    // Global names and the pg scope first, as OTP's kernel starts them before any connection.
    let global = try await GlobalNames.start(on: node)
    let pool = WorkerPool(groups: try await ProcessGroups.start(on: node))
    for _ in 0..<workers { _ = try await pool.startWorker() }
    let deadline = ContinuousClock.now + .seconds(60)
    let others = all.filter { $0 != node.name }
    // Keeps every other node connected, as libcluster does (global's "prevent overlapping
    // partitions" may take a connection down while the mesh forms).
    @Sendable func meshed() async -> Bool {
        for peer in others where !node.nodes(.visible).contains(peer) { _ = await node.connect(to: peer) }
        return Set(others).isSubset(of: Set(node.nodes(.visible)))
    }
    guard await until(deadline, meshed) else { throw ExampleFailure("no mesh: \(node.nodes(.visible))") }
    let total = workers * all.count
    guard await until(deadline, { await meshed() && pool.workerDistribution.values.reduce(0, +) == total }) else {
        throw ExampleFailure("workers seen: \(pool.workerDistribution)")
    }
    let distribution = pool.workerDistribution.sorted { $0.key < $1.key }.map { "\($0.key.name)=\($0.value)" }
    say("workers \(total) \(distribution.joined(separator: " "))")

    await global.sync()
    switch try await GlobalStateManager.start(on: node) {
    case .success: say("state manager started here")
    case .failure(.alreadyStarted(let pid)): say("state manager already running on \(pid.node.name)")
    }
    var dispatched = 0
    for n in 0..<10 where await pool.dispatchWork(.integer(n)) != nil { dispatched += 1 }
    say("dispatched \(dispatched)")
    say("broadcast to \(await pool.broadcastWork("refresh"))")

    try await GlobalStateManager.put(.atom(Atom("done_\(node.name.name)")), "true", on: node)
    let keys = all.map { Term.atom(Atom("done_\($0.name)")) }
    let complete = await until(deadline) {
        guard await meshed(), case .map(let state) = try? await GlobalStateManager.getAll(on: node) else {
            return false
        }
        return keys.allSatisfy { state[$0] != nil }
    }
    guard complete else { throw ExampleFailure("the global state never had every node's key") }
    say("global state has every node's key")
    // Serving a little longer, so the others finish reading the state too.
    try await Task.sleep(for: .seconds(2))
    await global.stop()
    await node.stop()
}

struct ExampleFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "node": try await runNode(Array(arguments.dropFirst()))
    default:
        say("usage: groups-example node NAME COOKIE EPMD_PORT NODES WORKERS")
        exit(2)
    }
} catch {
    say("failed: \(error)")
    exit(1)
}
