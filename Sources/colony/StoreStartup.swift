import Colony
import ColonyConfiguration
import ColonyStore
import ErlangTerm
import Foundation

/// `colony node --store TABLE`: runs the node's replica of the store group `default` and makes
/// sure each named table exists.
///
/// A node given `--store-voters` forms (or resumes) the group with those voters. Otherwise a node
/// with a log resumes, and a new one joins the store of the first connected node that runs one.
/// Only a `disc` node with no peers at all (no `--connect`, no connection after 3 s) starts a
/// group of its own; one that has peers keeps looking for their store rather than start a second
/// group under the same name. Start the first node alone, or give every node the same
/// `--store-voters`.
enum StoreStartup {
    static func start(_ cluster: ClusterSettings, node: Node, peers: [Atom]) async {
        let directory = cluster.storeDirectory ?? "colony-store/\(node.name.name)"
        let kind = CopyKind(rawValue: cluster.storeCopy) ?? .disc
        var voters = cluster.storeVoters.map { Atom($0) }
        let resumes = kind == .disc && FileManager.default.fileExists(atPath: directory + "/log")
        var joinVia: Atom?
        var keepLooking = false
        if voters.isEmpty, !resumes {
            for peer in peers { _ = await node.connect(to: peer) }
            joinVia = await findStore(node: node)
            if joinVia == nil {
                if kind == .disc, peers.isEmpty, node.nodes().isEmpty {
                    voters = [node.name]
                } else {
                    keepLooking = true
                }
            }
        }
        let settings = StoreSettings(group: "default", voters: voters, kind: kind, directory: directory)
        let store: Store
        do {
            store = try await Store.start(on: node, settings: settings)
        } catch {
            say("store: \(error)")
            return
        }
        let tables = cluster.storeTables
        Task {
            do {
                var joinVia = joinVia
                while keepLooking, joinVia == nil {
                    say("store: no store among the connected nodes yet; looking again")
                    joinVia = await findStore(node: node)
                }
                if let joinVia {
                    try await retrying { try await store.join(via: joinVia, kind: kind) }
                    say("store: joined through \(joinVia)")
                }
                for table in tables {
                    try await retrying { try await store.createTable(TableDefinition(name: table), ifMissing: true) }
                }
                say("store: ready, tables \(tables.joined(separator: ","))")
            } catch {
                say("store: \(error)")
            }
        }
    }

    /// A connected node whose store answers, waiting up to 3 s for connections to come.
    static func findStore(node: Node) async -> Atom? {
        let name = StoreSettings(group: "default").serverName
        for _ in 0..<12 {
            for peer in node.nodes() {
                if (try? await node.call(.remote(name, node: peer), "status", timeout: .seconds(1))) != nil {
                    return peer
                }
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return nil
    }

    /// Runs `body` until it succeeds, for up to a minute, while the group has no quorum yet.
    static func retrying(_ body: () async throws -> Void) async throws {
        var attempts = 0
        while true {
            do {
                return try await body()
            } catch StoreError.noQuorum where attempts < 12 {
                attempts += 1
            }
        }
    }
}
