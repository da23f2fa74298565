import Colony
public import ErlangTerm

extension Store {
    /// The module under which the store answers any node of the cluster (Erlang and Elixir
    /// included, through `rpc:call`/`erpc:call`); tables are binaries, keys and values any term:
    ///
    /// - `put(Table, Key, Value)`, `put(Table, Key, Value, TtlMs)`: `ok`;
    /// - `get(Table, Key)`: `{ok, Value}` or `not_found` (linearizable);
    /// - `delete(Table, Key)`: `ok`;
    /// - `keys(Table)`: the keys;
    /// - `cas(Table, Key, Expected, New)`: `ok` or `{error, {mismatch, Current}}`; `Expected` (and
    ///   `Current`) `not_found` stands for no value;
    /// - `dirty_get(Table, Key)`: `get` on the called node's replica, without the leader;
    /// - `create_table(Table)`, `create_table(Table, Kind)`: `ok` (also when it exists);
    /// - `transfer_leader(Node)`: asks the leader to hand over to `Node`, a voter;
    /// - `status()`: the called node's view of the group.
    ///
    /// Failures are `{error, Reason}`: `no_quorum` when no majority answered in time (the write
    /// may or may not apply), `{no_table, Table}`, `not_running`.
    public static let module: Atom = "colony_store"

    func registerFunctions() {
        let functions = node.functions
        functions.register(module: Self.module, function: "put") { arguments, process in
            guard arguments.count == 3 || arguments.count == 4, let table = arguments[0].stringValue else {
                throw ProcessExit("badarg")
            }
            var ttl: Duration?
            if arguments.count == 4 {
                guard case .integer(let milliseconds) = arguments[3], milliseconds > 0 else {
                    throw ProcessExit("badarg")
                }
                ttl = .milliseconds(milliseconds)
            }
            return await Self.answering(process) { store in
                try await store.put(table, arguments[1], arguments[2], ttl: ttl)
                return "ok"
            }
        }
        for (name, consistency) in [("get", ReadConsistency.linearizable), ("dirty_get", .local)] {
            functions.register(module: Self.module, function: Atom(name)) { arguments, process in
                guard arguments.count == 2, let table = arguments[0].stringValue else { throw ProcessExit("badarg") }
                return await Self.answering(process) { store in
                    guard let value = try await store.get(table, arguments[1], consistency: consistency) else {
                        return "not_found"
                    }
                    return .tuple(["ok", value])
                }
            }
        }
        functions.register(module: Self.module, function: "delete") { arguments, process in
            guard arguments.count == 2, let table = arguments[0].stringValue else { throw ProcessExit("badarg") }
            return await Self.answering(process) { store in
                try await store.delete(table, arguments[1])
                return "ok"
            }
        }
        functions.register(module: Self.module, function: "keys") { arguments, process in
            guard arguments.count == 1, let table = arguments[0].stringValue else { throw ProcessExit("badarg") }
            return await Self.answering(process) { store in .list(try await store.keys(table)) }
        }
        functions.register(module: Self.module, function: "cas") { arguments, process in
            guard arguments.count == 4, let table = arguments[0].stringValue else { throw ProcessExit("badarg") }
            let expected: Term? = arguments[2] == "not_found" ? nil : arguments[2]
            return await Self.answering(process) { store in
                try await store.compareAndSet(table, arguments[1], expected: expected, new: arguments[3])
                return "ok"
            }
        }
        functions.register(module: Self.module, function: "create_table") { arguments, process in
            guard arguments.count == 1 || arguments.count == 2, let table = arguments[0].stringValue else {
                throw ProcessExit("badarg")
            }
            var kind = TableKind.set
            if arguments.count == 2 {
                guard let name = arguments[1].atomValue?.name, let chosen = TableKind(rawValue: name) else {
                    throw ProcessExit("badarg")
                }
                kind = chosen
            }
            return await Self.answering(process) { store in
                try await store.createTable(TableDefinition(name: table, kind: kind), ifMissing: true)
                return "ok"
            }
        }
        functions.register(module: Self.module, function: "transfer_leader") { arguments, process in
            guard arguments.count == 1, case .atom(let target) = arguments[0] else { throw ProcessExit("badarg") }
            return await Self.answering(process) { store in
                try await store.transferLeadership(to: target)
                return "ok"
            }
        }
        functions.register(module: Self.module, function: "status") { _, process in
            guard let store = StoreTable.shared.store(on: process.node) else {
                return .tuple(["error", "not_running"])
            }
            return try await store.call("status")
        }
    }

    /// Runs `body` with the called node's store, turning a ``StoreError`` into `{error, Reason}`.
    static func answering(_ process: ProcessContext, _ body: (Store) async throws -> Term) async -> Term {
        guard let store = StoreTable.shared.store(on: process.node) else { return .tuple(["error", "not_running"]) }
        do {
            return try await body(store)
        } catch let error as StoreError {
            return .tuple(["error", error.reason])
        } catch {
            return .tuple(["error", .string("\(error)")])
        }
    }
}

extension StoreError {
    /// The error as the `Reason` of `{error, Reason}`.
    var reason: Term {
        switch self {
        case .noQuorum: "no_quorum"
        case .noTable(let name): .tuple(["no_table", .string(name)])
        case .mismatch(let current): .tuple(["mismatch", current ?? "not_found"])
        case .conflict: "conflict"
        case .alreadyExists: "already_exists"
        case .overloaded: "overloaded"
        case .noIndex(let field): .tuple(["no_index", .atom(Atom(field))])
        case .notRunning: "not_running"
        case .unexpected(let term): .tuple(["unexpected", term])
        }
    }
}
