import Colony
import ColonyRaft
import ColonyStore
import ColonyTestSupport
import ErlangTerm
import Foundation
import Synchronization
import Testing

/// Store replicas on nodes in this test process (no EPMD; one port on 127.0.0.x), over real
/// distribution connections, each disc copy in its own temporary directory.
final class StoreCluster: Sendable {
    let port: Int
    let label: String
    let root: String
    let nodes: Mutex<[Node?]>
    let stores: Mutex<[Store?]>

    static let raft = RaftSettings(electionTimeout: .milliseconds(300), heartbeatInterval: .milliseconds(50))

    init(_ label: String, count: Int = 3) async throws {
        port = try Int(ExternalProcess.freeLoopbackPort())
        self.label = label
        root = NSTemporaryDirectory() + "colony-store-\(label)-\(UUID().uuidString)"
        nodes = Mutex(Array(repeating: nil, count: count))
        stores = Mutex(Array(repeating: nil, count: count))
        for index in 0..<count { try await startNode(index) }
        for index in 0..<count { try await startStore(index, voters: (0..<count).map(name)) }
        try await connectAll()
    }

    func name(_ index: Int) -> Atom { Atom("\(label)\(index + 1)@127.0.0.\(index + 1)") }

    func node(_ index: Int) -> Node { nodes.withLock { $0[index]! } }

    func store(_ index: Int) -> Store { stores.withLock { $0[index]! } }

    func settings(_ index: Int, voters: [Atom]) -> StoreSettings {
        StoreSettings(
            group: "test", voters: voters, kind: .disc, directory: "\(root)/\(index)", raft: Self.raft,
            requestTimeout: .seconds(2), expiryInterval: .milliseconds(100))
    }

    func startNode(_ index: Int) async throws {
        var configuration = NodeConfiguration(name: name(index).name, cookie: "store")
        configuration.usesEPMD = false
        configuration.distributionPort = port
        configuration.listenAddress = "127.0.0.\(index + 1)"
        let node = try await Node.start(configuration)
        nodes.withLock { $0[index] = node }
    }

    func startStore(_ index: Int, voters: [Atom]) async throws {
        let store = try await Store.start(on: node(index), settings: settings(index, voters: voters))
        stores.withLock { $0[index] = store }
    }

    func connectAll() async throws {
        let all = nodes.withLock { $0.compactMap { $0 } }
        for (i, node) in all.enumerated() {
            for other in all[(i + 1)...] { _ = await node.connect(to: other.name) }
        }
    }

    /// Stops node `index` (its store first), keeping its directory.
    func stop(_ index: Int) async {
        guard let store = stores.withLock({ $0[index] }) else { return }
        await store.stop()
        await node(index).stop()
        stores.withLock { $0[index] = nil }
        nodes.withLock { $0[index] = nil }
    }

    func stopAll() async {
        for index in 0..<nodes.withLock({ $0.count }) { await stop(index) }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The index of the replica that leads, waiting (bounded) for one.
    func leader() async throws -> Int {
        for _ in 0..<200 {
            let live = stores.withLock { $0 }
            for (index, store) in live.enumerated() where store?.status.role == .leader { return index }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw StoreError.noQuorum
    }

    /// Waits (bounded) until `check` holds.
    func eventually(_ what: String, _ check: @Sendable () async throws -> Bool) async throws {
        for _ in 0..<200 {
            if (try? await check()) == true { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("never: \(what)")
    }
}
