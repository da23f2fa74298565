public import Colony
import ErlangTerm
import Synchronization

/// The resolver of a connect session (`exchange_names/4`): it compares the other partition's
/// names with this node's, resolves each clash on the node of this side's process, and casts the
/// outcome to the name server. It runs in a process of its own, so that locks keep working while a
/// resolution waits on another node.
extension GlobalNames {
    func startResolver(peer: Atom, tag: Int, names theirs: [GlobalName]) {
        let server = pid
        let me = node.name
        node.spawn { [self] process in
            var ops: [Term] = []
            var resolved: [Term] = []
            for entry in theirs {
                guard let mine = machine.withLock({ $0.server.table.names[entry.name] }) else {
                    ops.append(.tuple(["insert", entry.term]))
                    continue
                }
                // Same process: nothing to do. A larger name than the peer's: the peer resolves.
                guard mine.pid != entry.pid, me < peer else { continue }
                let kept = await resolveRemotely(mine, against: entry, process: process)
                switch kept {
                case .pid(let pid) where pid == entry.pid:
                    ops.append(.tuple(["insert", entry.term]))
                case .pid(let pid) where pid == mine.pid:
                    resolved.append(.tuple(["insert", mine.term]))
                case .tuple(let t) where t.first == "badrpc":
                    ops.append(.tuple(["insert", entry.term]))
                default:
                    let delete: Term = .tuple(["delete", entry.name])
                    ops.append(delete)
                    resolved.append(delete)
                }
            }
            let message: Term = .tuple(["exchange_ops", .atom(peer), .integer(tag), .list(ops), .list(resolved)])
            await process.send(GlobalProtocol.cast(message), to: server)
        }
    }

    /// `rpc:call(node(Pid2), global, resolve_it, [Method2, Name, Pid, Pid2])`.
    private func resolveRemotely(_ mine: GlobalName, against theirs: GlobalName, process: ProcessContext) async -> Term
    {
        if mine.pid.node == node.name {
            return await resolveHere(
                method: mine.method, name: mine.name, first: theirs.pid, second: mine.pid, process: process)
        }
        do {
            return try await process.rpc(
                mine.pid.node, "global", "resolve_it", [mine.method, mine.name, .pid(theirs.pid), .pid(mine.pid)],
                timeout: .seconds(30))
        } catch {
            return .tuple(["badrpc", .atom(Atom(String(describing: error)))])
        }
    }

    /// `global:resolve_it/4` on this node: the name's Swift resolver if its registration here
    /// gave one, else the method's.
    func resolveHere(method: Term, name: Term, first: PID, second: PID, process: ProcessContext) async -> Term {
        let resolution = resolvers.withLock { $0[name] } ?? GlobalConflictResolution(method: method)
        logger.info("global: name conflict on \(name) between \(first) and \(second)")
        guard let kept = await resolution.resolve(name, first, second, in: process) else { return "none" }
        return .pid(kept)
    }

    /// The functions other nodes call here: `global:resolve_it/4` (the name exchange's clash
    /// resolution), `global:whereis_name/1`, `global:registered_names/0`, `global:sync/0`, for the dashboard
    /// `colony_global:names/0` (`[{Name, Pid}]`), and `colony_global:register_new/1`.
    func registerFunctions() {
        GlobalTable.shared.add(self)
        node.functions.register(module: "global", function: "resolve_it") { arguments, process in
            guard arguments.count == 4, case .pid(let first) = arguments[2], case .pid(let second) = arguments[3],
                let names = GlobalTable.shared.names(on: process.node)
            else { throw ProcessExit("badarg") }
            return await names.resolveHere(
                method: arguments[0], name: arguments[1], first: first, second: second, process: process)
        }
        node.functions.register(module: "global", function: "whereis_name") { arguments, process in
            guard arguments.count == 1, let names = GlobalTable.shared.names(on: process.node) else {
                throw ProcessExit("badarg")
            }
            return names.whereis(arguments[0]).map(Term.pid) ?? "undefined"
        }
        node.functions.register(module: "global", function: "sync") { _, process in
            guard let names = GlobalTable.shared.names(on: process.node) else { throw ProcessExit("badarg") }
            await names.sync()
            return "ok"
        }
        node.functions.register(module: "global", function: "registered_names") { _, process in
            guard let names = GlobalTable.shared.names(on: process.node) else { throw ProcessExit("badarg") }
            return .list(names.registeredNames)
        }
        // colony_global:register_new(Name): registers a new process (which ends on its first
        // message) as Name; {yes, Pid} or no. For operators and tests of registration races.
        node.functions.register(module: "colony_global", function: "register_new") { arguments, process in
            guard arguments.count == 1, let names = GlobalTable.shared.names(on: process.node) else {
                throw ProcessExit("badarg")
            }
            let holder = process.node.spawn { holder in _ = try await holder.receive() }
            if await names.register(arguments[0], holder) { return .tuple(["yes", .pid(holder)]) }
            await process.send("stop", to: holder)
            return "no"
        }
        // colony_global:info(): #{known, synced, pending, locker} for operators.
        node.functions.register(module: "colony_global", function: "info") { _, process in
            guard let names = GlobalTable.shared.names(on: process.node) else { throw ProcessExit("badarg") }
            return names.info
        }
        node.functions.register(module: "colony_global", function: "names") { _, process in
            guard let names = GlobalTable.shared.names(on: process.node) else { throw ProcessExit("badarg") }
            return .list(names.registrations.map { .tuple([$0.name, .pid($0.pid)]) })
        }
    }
}

/// The name servers running on this OS process's nodes, by node, for the functions they answer.
final class GlobalTable: Sendable {
    static let shared = GlobalTable()
    private struct Weak: @unchecked Sendable { weak var names: GlobalNames? }
    private let table = Mutex<[String: Weak]>([:])

    func add(_ names: GlobalNames) { table.withLock { $0[names.node.name.name] = Weak(names: names) } }

    func names(on node: Node) -> GlobalNames? { table.withLock { $0[node.name.name]?.names } }
}

extension Node {
    /// The global name server running on this node, if ``GlobalNames/start(on:settings:)`` ran.
    public var globalNames: GlobalNames? { GlobalTable.shared.names(on: self) }
}
