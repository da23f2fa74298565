public import Colony
import ErlangTerm
import Foundation

/// A worker node of the cluster example: functions for the task runner and remote calls, and an
/// ``Inventory`` registered as `inventory`.
public enum ClusterWorker {
    /// Registers the worker's functions on `node`:
    /// - `work:square(N)` → N²;
    /// - `work:slow_square(N, Milliseconds)` → N² after a pause (prints `running slow_square N` first);
    /// - `work:whoami()` → the node's name;
    /// - `work:fail()` → raises `{error, deliberate}`.
    public static func registerFunctions(on node: Node, say: @escaping @Sendable (String) -> Void) {
        node.functions.register(module: "work", function: "square") { arguments, _ in
            guard case .integer(let n)? = arguments.first else { throw ProcessExit("badarg") }
            return .integer(n * n)
        }
        node.functions.register(module: "work", function: "slow_square") { arguments, _ in
            guard arguments.count == 2, case .integer(let n) = arguments[0], case .integer(let pause) = arguments[1]
            else {
                throw ProcessExit("badarg")
            }
            say("running slow_square \(n)")
            try await Task.sleep(for: .milliseconds(pause))
            return .integer(n * n)
        }
        node.functions.register(module: "work", function: "whoami") { _, process in .atom(process.node.name) }
        node.functions.register(module: "work", function: "fail") { _, _ in
            throw ProcessExit(.tuple(["error", "deliberate"]))
        }
    }

    /// Starts a worker node, its functions, its `inventory` actor and a `mailbox` process that
    /// prints what it receives; returns the node and its actor system.
    public static func start(name: String, cookie: String, epmdPort: Int, say: @escaping @Sendable (String) -> Void)
        async throws -> (Node, ColonyActorSystem, Inventory)
    {
        var configuration = NodeConfiguration(name: name, cookie: cookie)
        configuration.epmdPort = epmdPort
        configuration.listenAddress = "127.0.0.1"
        let node = try await Node.start(configuration)
        registerFunctions(on: node, say: say)
        let system = ColonyActorSystem(node: node)
        let inventory = Inventory(actorSystem: system)
        system.register(inventory, as: "inventory")
        let mailbox = node.spawn { process in
            while true { say("received \(try await process.receive())") }
        }
        node.register("mailbox", pid: mailbox)
        return (node, system, inventory)
    }
}
