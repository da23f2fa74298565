import ErlangTerm

/// A monitor a process holds on another (`erlang:monitor/2`, or a spawn request's monitor).
struct HeldMonitor: Sendable {
    /// The monitored process, once known (a monitor by name on another node, and a spawn
    /// request's monitor before its reply, have none yet).
    var target: PID?
    /// The registered name, for a monitor by name.
    var name: Atom?
    /// The node of the monitored process.
    var node: Atom
    /// Where the monitor goes.
    var route: SignalRoute

    /// How a `DOWN` names the target: the pid, `{Name, Node}`, or `undefined` for a spawn request
    /// whose reply never came.
    var described: Term {
        if let name { return .tuple([.atom(name), .atom(node)]) }
        if let target { return .pid(target) }
        return "undefined"
    }
}

/// A monitor another process holds on this one.
struct Watcher: Sendable {
    /// The process holding the monitor.
    var pid: PID
    /// How this process's `DOWN` names it: the pid, or `{Name, Node}` for a monitor by name.
    var described: Term
    /// Where the holder is.
    var route: SignalRoute
}

/// `{'DOWN', Ref, process, Target, Reason}`.
func downMessage(_ reference: Reference, _ target: Term, _ reason: Term) -> Term {
    .tuple(["DOWN", .reference(reference), "process", target, reason])
}
