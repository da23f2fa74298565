public import ErlangTerm

/// The identity of a distributed actor on a Colony cluster: its process, or a name registered on
/// a node. A pid identifies one incarnation; a name follows whichever process holds it.
public struct ColonyActorID: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The node the actor lives on.
    public let node: Atom
    /// The actor's process, when the ID names an incarnation.
    public let pid: PID?
    /// The registered name, when the ID names the actor by name.
    public let name: Atom?

    /// The actor whose process is `pid`.
    public init(pid: PID) {
        self.node = pid.node
        self.pid = pid
        self.name = nil
    }

    /// The actor registered as `name` on `node`.
    public init(name: Atom, node: Atom) {
        self.node = node
        self.pid = nil
        self.name = name
    }

    /// How the runtime addresses the actor's process.
    var server: ServerRef {
        if let pid { return .pid(pid) }
        return .remote(name ?? "undefined", node: node)
    }

    public var description: String {
        if let pid { return pid.description }
        return "\(name?.name ?? "?")@\(node.name)"
    }
}
