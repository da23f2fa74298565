import Colony
import ColonyGroups
import ErlangTerm

/// The guide's `GlobalStateManager`: one server in the whole cluster, registered with `global` as
/// `GlobalStateManager`, reachable by that name from every node (Elixir's
/// `GenServer.call({:global, GlobalStateManager}, ...)` included).
struct GlobalStateManager: GenServer {
    static let name: Term = "GlobalStateManager"
    var state: [Term: Term] = [:]

    /// Starts the manager here, unless it already runs somewhere in the cluster: then the pid of
    /// the one that runs.
    static func start(on node: Node) async throws -> Result<PID, StartError> {
        do {
            return .success(try await node.startServer(GlobalStateManager(), name: .global(name)))
        } catch GenServerStartError.alreadyStarted(let pid) {
            return .failure(.alreadyStarted(pid))
        }
    }

    enum StartError: Error {
        case alreadyStarted(PID)
    }

    static func get(_ key: Term, on node: Node) async throws -> Term {
        try await node.call(.global(name), .tuple(["get", key]))
    }

    static func put(_ key: Term, _ value: Term, on node: Node) async throws {
        _ = try await node.call(.global(name), .tuple(["put", key, value]))
    }

    static func delete(_ key: Term, on node: Node) async throws {
        _ = try await node.call(.global(name), .tuple(["delete", key]))
    }

    static func getAll(on node: Node) async throws -> Term {
        try await node.call(.global(name), "get_all")
    }

    mutating func handleCall(_ request: Term, from: CallerRef, process: ProcessContext) async throws -> CallResult {
        switch request {
        case .tuple(let t) where t.count == 2 && t[0] == "get":
            return .reply(state[t[1]] ?? "nil")
        case .tuple(let t) where t.count == 3 && t[0] == "put":
            state[t[1]] = t[2]
            return .reply("ok")
        case .tuple(let t) where t.count == 2 && t[0] == "delete":
            state[t[1]] = nil
            return .reply("ok")
        case "get_all":
            return .reply(.map(TermMap(state.map { ($0.key, $0.value) })))
        default:
            return .reply(.tuple(["error", "unknown_call"]))
        }
    }
}
