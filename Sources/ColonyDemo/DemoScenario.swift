public import Colony
public import ErlangTerm

/// One step of the demo: what it shows, and the checks that prove it. A scenario returns a line
/// saying what it saw, or throws ``DemoFailure`` naming the check that did not hold.
public struct DemoScenario: Sendable {
    /// A short name (`rpc`, `supervisor`, ...), used on the command line and in reports.
    public let name: String
    /// What the scenario shows, in a few words.
    public let title: String
    let body: @Sendable (DemoContext) async throws -> String

    /// A scenario named `name` that runs `body`.
    public init(name: String, title: String, body: @escaping @Sendable (DemoContext) async throws -> String) {
        self.name = name
        self.title = title
        self.body = body
    }
}

/// What a scenario works with: the demo's own node, the member nodes, and the cluster's processes.
public struct DemoContext: Sendable {
    /// The node the demo runs in (not one of the members).
    public let node: Node
    /// The member nodes.
    public let members: [Atom]
    /// The Elixir node taking part in the messaging and rpc scenarios (`--elixir`), if any.
    public let elixir: Atom?
    /// Their OS processes.
    public let cluster: DemoCluster
    /// Node events seen since the demo's node started.
    public let events: DemoEvents
    /// A scenario to fail on purpose (for testing the failure path), if any.
    let failing: String?

    /// The nodes the messaging and rpc scenarios talk to: the members, then the Elixir node.
    public var messagingNodes: [Atom] { members + (elixir.map { [$0] } ?? []) }

    /// Runs `body` as a process of the demo's node and returns what it returns.
    public func inProcess<Value: Sendable>(
        timeout: Duration = .seconds(30), _ body: @escaping @Sendable (ProcessContext) async throws -> Value
    ) async throws -> Value {
        let slot = ResultSlot<Value>()
        node.spawn { process in
            do {
                slot.set(.success(try await body(process)))
            } catch {
                slot.set(.failure(error))
            }
        }
        return try await slot.wait(timeout: timeout)
    }

    /// Fails with `message` unless `condition` holds.
    public func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw DemoFailure(message()) }
    }
}
