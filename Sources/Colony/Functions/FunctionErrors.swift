public import ErlangTerm

/// Thrown by a registered function to raise an Erlang `throw`: an `rpc:call` caller gets `Value`
/// itself as the result, an `erpc:call` caller the thrown value.
public struct ErlangThrow: Error, Sendable, Equatable {
    /// The thrown term.
    public let value: Term

    /// A throw of `value`.
    public init(_ value: Term) {
        self.value = value
    }
}

/// No function is registered under this module and function name (Erlang's `undef`).
public struct UndefinedFunction: Error, Sendable, Equatable, CustomStringConvertible {
    public let module: Atom
    public let function: Atom
    public let arguments: [Term]

    /// `undef` for `module:function(arguments)`.
    public init(module: Atom, function: Atom, arguments: [Term]) {
        self.module = module
        self.function = function
        self.arguments = arguments
    }

    /// Erlang's stack for it: `[{Module, Function, Args, []}]`.
    public var stack: Term {
        .list([.tuple([.atom(module), .atom(function), .list(arguments), .list([])])])
    }

    public var description: String { "undefined function \(module.name):\(function.name)/\(arguments.count)" }
}

extension Node {
    /// Runs `module:function(arguments)` from the function registry, in `process`.
    ///
    /// - Throws: ``UndefinedFunction`` when nothing is registered under the name; otherwise what
    ///   the function throws.
    public func apply(_ module: Atom, _ function: Atom, _ arguments: [Term], in process: ProcessContext) async throws
        -> Term
    {
        guard let body = functions.lookup(module: module, function: function) else {
            throw UndefinedFunction(module: module, function: function, arguments: arguments)
        }
        return try await body(arguments, process)
    }

    /// The functions every node has, as on a BEAM node: `erlang:node/0`, `erlang:nodes/0,1`.
    func registerBuiltinFunctions() {
        registerObserverFunctions()
        functions.register(module: "erlang", function: "node") { arguments, process in
            guard arguments.isEmpty else {
                throw UndefinedFunction(module: "erlang", function: "node", arguments: arguments)
            }
            return .atom(process.node.name)
        }
        functions.register(module: "erlang", function: "nodes") { arguments, process in
            let node = process.node
            if arguments.isEmpty { return .list(node.nodes(.visible).map(Term.atom)) }
            guard arguments.count == 1 else {
                throw UndefinedFunction(module: "erlang", function: "nodes", arguments: arguments)
            }
            switch arguments[0] {
            case .atom(let kind): return .list(try Self.nodes(kind, of: node).map(Term.atom))
            case .list(let kinds):
                var seen: [Atom] = []
                for case .atom(let kind) in kinds {
                    for peer in try Self.nodes(kind, of: node) where !seen.contains(peer) { seen.append(peer) }
                }
                return .list(seen.map(Term.atom))
            default: throw ProcessExit("badarg")
            }
        }
    }

    /// `erlang:nodes(Kind)`: `visible`, `hidden`, `connected`, `this`, `known`.
    private static func nodes(_ kind: Atom, of node: Node) throws -> [Atom] {
        switch kind.name {
        case "visible": return node.nodes(.visible)
        case "hidden": return node.nodes(.hidden)
        case "connected": return node.nodes(.connected)
        case "this": return [node.name]
        case "known": return [node.name] + node.nodes(.connected)
        default: throw ProcessExit(.tuple(["badarg", .atom(kind)]))
        }
    }
}
