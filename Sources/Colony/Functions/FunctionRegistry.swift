public import ErlangTerm
import Synchronization

/// Swift functions a node runs on request from other nodes, under a module and function name
/// (atoms), as Erlang code is named by `{Module, Function, Args}`. Closures cannot travel between
/// OS processes; a name can. ``TaskSupervisor`` starts remote tasks through it.
public final class FunctionRegistry: Sendable {
    /// A registered function: it takes the arguments as terms and returns a term, or throws
    /// (the thrown error is the task's exit reason).
    public typealias Function = @Sendable (_ arguments: [Term], _ process: ProcessContext) async throws -> Term

    private let table = Mutex<[FunctionName: Function]>([:])

    /// A module and function name.
    public struct FunctionName: Hashable, Sendable {
        public var module: Atom
        public var function: Atom

        /// A name from its two atoms.
        public init(module: Atom, function: Atom) {
            self.module = module
            self.function = function
        }
    }

    init() {}

    /// Registers `body` as `module:function`, replacing any earlier one.
    public func register(module: Atom, function: Atom, _ body: @escaping Function) {
        table.withLock { $0[FunctionName(module: module, function: function)] = body }
    }

    /// Removes `module:function`.
    public func unregister(module: Atom, function: Atom) {
        table.withLock { _ = $0.removeValue(forKey: FunctionName(module: module, function: function)) }
    }

    /// The function registered as `module:function`.
    public func lookup(module: Atom, function: Atom) -> Function? {
        table.withLock { $0[FunctionName(module: module, function: function)] }
    }

    /// Every registered name.
    public var names: [FunctionName] { table.withLock { Array($0.keys) } }
}
