public import Colony
import ColonyGroups
public import ErlangTerm

import class ColonyData.Replicator
import struct ColonyRaft.RaftSettings
import class ColonyStore.Store
import struct ColonyStore.StoreSettings

/// What each member node of the demo cluster runs, and the functions every node of it offers.
///
/// A member has an `echo` process (`{From, Msg}` → `{EchoPid, Msg}`), the guide's `kv` server, and
/// a supervisor `demo_sup` over a worker registered as `crasher` that dies when cast `crash`.
public enum DemoMember {
    /// Registers the functions the scenarios call on any node of the cluster:
    /// `demo:square(N)`, `demo:slow_square(N, Milliseconds)`, `demo:whereis(Name)`,
    /// `demo:register_kv_global(Name)`.
    public static func registerFunctions(on node: Node) {
        node.functions.register(module: "demo", function: "square") { arguments, _ in
            guard case .integer(let n)? = arguments.first else { throw ProcessExit("badarg") }
            return .integer(n * n)
        }
        node.functions.register(module: "demo", function: "slow_square") { arguments, _ in
            guard arguments.count == 2, case .integer(let n) = arguments[0], case .integer(let wait) = arguments[1]
            else { throw ProcessExit("badarg") }
            try await Task.sleep(for: .milliseconds(wait))
            return .integer(n * n)
        }
        // demo:register_kv_global(Name): registers this node's kv as the global Name.
        node.functions.register(module: "demo", function: "register_kv_global") { arguments, process in
            guard let name = arguments.first, let kv = process.node.whereis("kv"),
                let global = process.node.globalNames
            else { throw ProcessExit("badarg") }
            return await global.register(name, kv) ? "yes" : "no"
        }
        node.functions.register(module: "demo", function: "whereis") { arguments, process in
            guard case .atom(let name)? = arguments.first else { throw ProcessExit("badarg") }
            return process.node.whereis(name).map(Term.pid) ?? "undefined"
        }
    }

    /// Starts `echo` (a member of the `pg` group `workers`), `kv` and `demo_sup` (with `crasher`)
    /// on `node`, and with `store` a replica of the demo's replicated store (group `demo`; its
    /// timing is tuned to elect within a second, for the demo's failover).
    public static func startServices(on node: Node, store: (voters: [Atom], directory: String)? = nil) async throws {
        if let store {
            let settings = StoreSettings(
                group: "demo", voters: store.voters, directory: store.directory,
                raft: RaftSettings(electionTimeout: .milliseconds(400), heartbeatInterval: .milliseconds(40)),
                requestTimeout: .seconds(3), expiryInterval: .milliseconds(250))
            _ = try await Store.start(on: node, settings: settings)
        }
        let echo = node.spawn { process in
            while true {
                guard case .tuple(let t) = try await process.receive(), t.count == 2, case .pid(let from) = t[0]
                else { continue }
                await process.send(.tuple([.pid(process.pid), t[1]]), to: from)
            }
        }
        node.register("echo", pid: echo)
        // The seed's WorkerPool: every member's echo is a worker in the `workers` pg group.
        let groups = try await ProcessGroups.start(on: node)
        try await groups.join("workers", [echo])
        // Global names (OTP's global protocol), for the seed's GlobalStateManager.
        _ = try await GlobalNames.start(on: node)
        // Replicated data (the seed's DistributedCounter), reachable as colony_ddata functions.
        _ = try await Replicator.start(on: node)
        try await node.startServer(KeyValueServer(), name: .local("kv"))
        try await node.startSupervisor(
            strategy: .oneForOne,
            children: [
                ChildSpec(id: "crasher") { node, supervisor in
                    try await node.startServer(Crasher(), name: .local("crasher"), link: supervisor)
                }
            ],
            maxRestarts: 10, maxSeconds: 5, name: .local("demo_sup"))
    }
}

/// A worker that answers `ping` and dies when cast `crash`, for the supervisor scenario.
struct Crasher: GenServer {
    mutating func handleCall(_ request: Term, from: CallerRef, process: ProcessContext) async throws -> CallResult {
        .reply("pong")
    }

    mutating func handleCast(_ request: Term, process: ProcessContext) async throws -> GenServerAction {
        if request == "crash" { throw ProcessExit(.tuple(["crashed", "on_purpose"])) }
        return .noReply
    }
}
