import ErlangTerm

/// Which local processes have a link or monitor over each open connection: the per-connection
/// half of the signal state, as a pure value.
///
/// A connection is opened here before it carries any signal and closed once, when it goes down;
/// closing hands back its dependents, whose links and monitors over it then break. Recording a
/// link or monitor over a connection that has closed is refused, so the runtime breaks it at once
/// itself: between the two, each link and monitor over a lost connection is broken exactly once,
/// however the loss and the recording interleave.
struct ConnectionRoutes: Sendable {
    private var dependents: [UInt64: Set<PID>] = [:]

    /// Starts tracking an established connection.
    mutating func open(_ route: SignalRoute) {
        precondition(!route.isLocal)
        if dependents[route.connection] == nil { dependents[route.connection] = [] }
    }

    /// Whether `route`'s connection is open.
    func isOpen(_ route: SignalRoute) -> Bool { route.isLocal || dependents[route.connection] != nil }

    /// Records that `pid` has a link or monitor over `route`. `false` when that connection has
    /// closed already: the caller breaks what it just made over it.
    mutating func attach(_ pid: PID, to route: SignalRoute) -> Bool {
        if route.isLocal { return true }
        guard dependents[route.connection] != nil else { return false }
        dependents[route.connection]!.insert(pid)
        return true
    }

    /// Forgets `pid` (it ended) on each of `routes`.
    mutating func detach(_ pid: PID, from routes: Set<SignalRoute>) {
        for route in routes where !route.isLocal {
            dependents[route.connection]?.remove(pid)
        }
    }

    /// The connection went down: returns the processes whose links and monitors over it break
    /// (`nil` when it was closed already: a connection closes once).
    mutating func close(_ route: SignalRoute) -> Set<PID>? {
        dependents.removeValue(forKey: route.connection)
    }

    /// The number of processes recorded against `route` (for tests and metrics).
    func dependentCount(_ route: SignalRoute) -> Int { dependents[route.connection]?.count ?? 0 }
}
