// The guide's DistributedCache (Mnesia) on Colony's Raft store.
//
//   cache-example demo
//       three nodes in this process (127.0.0.1-3, no EPMD): put with and without TTL, read from
//       another node, stop the leader's node and keep going, let an entry expire, clean up, and
//       add a fourth node that receives the cache.
import Colony
import ColonyStore
import ErlangTerm
import Foundation

/// Prints a line unbuffered, so a test reading the output sees it at once.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func startNode(_ index: Int, port: Int) async throws -> Node {
    var configuration = NodeConfiguration(name: "cache\(index)@127.0.0.\(index)", cookie: "cache")
    configuration.usesEPMD = false
    configuration.distributionPort = port
    configuration.listenAddress = "127.0.0.\(index)"
    return try await Node.start(configuration)
}

func demo() async throws {
    let port = 45_000 + Int.random(in: 0..<1000)
    let root = NSTemporaryDirectory() + "colony-cache-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: root) }
    var nodes: [Node] = []
    for index in 1...4 { nodes.append(try await startNode(index, port: port)) }
    for (i, node) in nodes.enumerated() {
        for other in nodes[(i + 1)...] { _ = await node.connect(to: other.name) }
    }
    let caches = try await DistributedCache.setupCluster(Array(nodes.prefix(3)), directory: root)
    say("cluster \(nodes.prefix(3).map(\.name.name).joined(separator: ","))")

    try await caches[0].put(.string("session:42"), .string("alice"))
    try await caches[1].put(.string("token:7"), .string("short-lived"), ttl: .milliseconds(800))
    say("get session:42 on node 3: \(try await caches[2].get(.string("session:42")).map(\.description) ?? "nil")")
    say("get token:7 on node 1: \(try await caches[0].get(.string("token:7")).map(\.description) ?? "nil")")

    // The leader's node goes away: the other two elect a new leader and keep serving.
    guard let leader = caches.firstIndex(where: { $0.store.status.role == .leader }) else {
        say("no leader")
        exit(1)
    }
    await caches[leader].store.stop()
    await nodes[leader].stop()
    say("stopped the leader, node \(leader + 1)")
    let survivor = caches[(leader + 1) % 3]
    try await DistributedCache.retrying { try await survivor.put(.string("after:failover"), .string("still writable")) }
    say("get session:42 after failover: \(try await survivor.get(.string("session:42")).map(\.description) ?? "nil")")
    say("get after:failover: \(try await survivor.get(.string("after:failover")).map(\.description) ?? "nil")")

    try await Task.sleep(for: .milliseconds(900))
    say("get token:7 after its TTL: \(try await survivor.get(.string("token:7")).map(\.description) ?? "nil")")
    _ = try await survivor.cleanupExpired()
    say("keys \(try await survivor.keys().compactMap(\.stringValue).sorted())")

    try await survivor.delete(.string("after:failover"))
    let newcomer = try await DistributedCache.standby(on: nodes[3], directory: "\(root)/new")
    try await survivor.addNodeToCluster(nodes[3].name)
    for _ in 0..<200 {
        if (try? await newcomer.store.get(DistributedCache.table, .string("session:42"), consistency: .local)) != nil {
            break
        }
        try await Task.sleep(for: .milliseconds(25))
    }
    let copied = try? await newcomer.store.get(DistributedCache.table, .string("session:42"), consistency: .local)
    say("node 4 local get session:42: \(copied.flatMap { $0 }?.description ?? "nil")")
    for (index, node) in nodes.enumerated() where index != leader { await node.stop() }
    say("done")
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "demo", nil:
    try await demo()
default:
    say("usage: cache-example demo")
    exit(2)
}
