import Colony
public import ErlangTerm
import Synchronization

extension Replicator {
    /// The module under which a node's default replicator answers any node of the cluster (Erlang
    /// and Elixir included, through `rpc`/`erpc`), with keys as binaries:
    ///
    /// - `keys()`: `[{Key, Type, Summary}]`, a line of text per value;
    /// - `counter_add(Key, N)` and `counter_add(Key, N, Consistency)`: adds to the ``PNCounter``
    ///   under `Key`, returns its value here (`Consistency` is `local`, `majority`, `all` or a node
    ///   count; `{error, Reason}` when it is not met);
    /// - `counter_value(Key)` and `counter_value(Key, Consistency)`: the counter's value;
    /// - `set_add(Key, Element)`, `set_remove(Key, Element)`, `set_elements(Key)`: an
    ///   ``ORSet`` of binaries.
    public static let module: Atom = "colony_ddata"

    /// Registers the `colony_ddata` functions for this replicator.
    func registerFunctions() {
        ReplicatorTable.shared.add(self)
        let functions = node.functions
        functions.register(module: Self.module, function: "keys") { _, process in
            let replicator = try Self.replicator(on: process.node)
            return .list(
                replicator.summaries.map { .tuple([.string($0.key), .string($0.type), .string($0.summary)]) })
        }
        functions.register(module: Self.module, function: "counter_add") { arguments, process in
            let replicator = try Self.replicator(on: process.node)
            guard arguments.count == 2 || arguments.count == 3, let key = arguments[0].stringValue,
                case .integer(let amount) = arguments[1]
            else { throw ProcessExit("badarg") }
            let counter = DataKey<PNCounter>(key)
            return try await Self.answering {
                try await replicator.update(counter, consistency: try Self.consistency(arguments, at: 2)) {
                    $0.increment(by: Int64(amount), at: $1)
                }
                return .integer(Int(try await replicator.get(counter)?.value ?? 0))
            }
        }
        functions.register(module: Self.module, function: "counter_value") { arguments, process in
            let replicator = try Self.replicator(on: process.node)
            guard arguments.count == 1 || arguments.count == 2, let key = arguments[0].stringValue else {
                throw ProcessExit("badarg")
            }
            return try await Self.answering {
                let value = try await replicator.get(
                    DataKey<PNCounter>(key), consistency: try Self.consistency(arguments, at: 1))
                return .integer(Int(value?.value ?? 0))
            }
        }
        for (name, adds) in [("set_add", true), ("set_remove", false)] {
            functions.register(module: Self.module, function: Atom(name)) { arguments, process in
                let replicator = try Self.replicator(on: process.node)
                guard arguments.count == 2, let key = arguments[0].stringValue,
                    let element = arguments[1].stringValue
                else { throw ProcessExit("badarg") }
                return try await Self.answering {
                    try await replicator.update(DataKey<ORSet<String>>(key)) {
                        adds ? $0.insert(element, at: $1) : $0.remove(element)
                    }
                    return "ok"
                }
            }
        }
        functions.register(module: Self.module, function: "set_elements") { arguments, process in
            let replicator = try Self.replicator(on: process.node)
            guard arguments.count == 1, let key = arguments[0].stringValue else { throw ProcessExit("badarg") }
            return try await Self.answering {
                let elements = try await replicator.get(DataKey<ORSet<String>>(key))?.elements ?? []
                return .list(elements.sorted().map(Term.string))
            }
        }
    }

    private static func replicator(on node: Node) throws -> Replicator {
        guard let replicator = ReplicatorTable.shared.replicator(on: node) else { throw ProcessExit("noproc") }
        return replicator
    }

    /// A replicator error as `{error, Reason}`, for callers in any language.
    private static func answering(_ body: () async throws -> Term) async throws -> Term {
        do {
            return try await body()
        } catch let error as ReplicatorError {
            return .tuple(["error", .string(error.description)])
        }
    }

    private static func consistency(_ arguments: [Term], at index: Int) throws -> Consistency {
        guard arguments.count > index else { return .local }
        switch arguments[index] {
        case "local": return .local
        case "majority": return .majority
        case "all": return .all
        case .integer(let n) where n > 0: return .nodes(n)
        default: throw ProcessExit("badarg")
        }
    }

    /// Every key held here with its type and a line about its value, sorted by key.
    public var summaries: [(key: String, type: String, summary: String)] {
        machine.withLock { state in
            state.entries.compactMap { key, entry in
                guard case .live(let cell) = entry else { return nil }
                return (key, Self.shortName(cell.typeName), ReplicatedDataSummary.line(cell.anyValue))
            }.sorted { $0.key < $1.key }
        }
    }

    /// `ColonyData.ORSet<Swift.String>` as `ORSet<String>`.
    static func shortName(_ typeName: String) -> String {
        typeName.replacingOccurrences(of: "ColonyData.", with: "").replacingOccurrences(of: "Swift.", with: "")
            .replacingOccurrences(of: "ErlangTerm.", with: "")
    }
}

/// One line about a replicated value, for views and the `keys` function.
enum ReplicatedDataSummary {
    static func line(_ value: any ReplicatedData) -> String {
        switch value {
        case let counter as PNCounter: return "\(counter.value)"
        case let counter as GCounter: return "\(counter.value)"
        case let flag as Flag: return flag.isEnabled ? "on" : "off"
        case let set as ORSet<String>: return list(set.elements.sorted())
        case let set as GSet<String>: return list(set.elements.sorted())
        case let register as LWWRegister<String>: return register.value ?? "(empty)"
        case let register as MVRegister<String>: return list(register.values)
        case let map as LWWMap<String, String>: return "\(map.count) entries"
        case let map as PNCounterMap<String>: return "\(map.keys.count) counters"
        default: return "\(value.parts.count) parts"
        }
    }

    private static func list(_ items: [String]) -> String {
        let shown = items.prefix(8).joined(separator: ", ")
        return items.count > 8 ? "{\(shown), … \(items.count) in all}" : "{\(shown)}"
    }
}

/// The default replicators running in this OS process, by node, for the `colony_ddata`
/// functions.
final class ReplicatorTable: Sendable {
    static let shared = ReplicatorTable()
    private struct Weak: @unchecked Sendable { weak var replicator: Replicator? }
    private let table = Mutex<[String: Weak]>([:])

    func add(_ replicator: Replicator) {
        guard replicator.settings.name == ReplicatorSettings().name else { return }
        table.withLock { $0[replicator.node.name.name] = Weak(replicator: replicator) }
    }

    func remove(_ replicator: Replicator) {
        table.withLock { table in
            if table[replicator.node.name.name]?.replicator === replicator {
                table[replicator.node.name.name] = nil
            }
        }
    }

    func replicator(on node: Node) -> Replicator? { table.withLock { $0[node.name.name]?.replicator } }
}
