public import ErlangTerm

/// One entry of ``SupervisorRef/whichChildren()``: OTP's `{Id, Child, Type, Modules}`.
public struct SupervisorChild: Sendable, Hashable, CustomStringConvertible {
    /// Whether the child runs.
    public enum Status: Sendable, Hashable {
        /// Running as this process.
        case running(PID)
        /// A restart failed and is to be tried again (OTP's `restarting`).
        case restarting
        /// Not running: stopped by ``SupervisorRef/terminateChild(_:)``, ignored at start, or a
        /// transient child that ended normally (OTP's `undefined`).
        case notRunning

        /// The pid when running.
        public var pid: PID? {
            if case .running(let pid) = self { return pid }
            return nil
        }
    }

    /// The child's id; `undefined` for a dynamic supervisor's children.
    public var id: Term
    /// Whether it runs, and as which process.
    public var status: Status
    /// Worker or supervisor.
    public var type: ChildSpec.ChildType

    /// An entry from its parts.
    public init(id: Term, status: Status, type: ChildSpec.ChildType) {
        self.id = id
        self.status = status
        self.type = type
    }

    /// The child's pid when it runs.
    public var pid: PID? { status.pid }

    /// Reads `{Id, Pid | restarting | undefined, worker | supervisor, Modules}`.
    public init?(_ term: Term) {
        guard case .tuple(let parts) = term, parts.count == 4 else { return nil }
        switch parts[1] {
        case .pid(let pid): status = .running(pid)
        case "restarting": status = .restarting
        case "undefined": status = .notRunning
        default: return nil
        }
        switch parts[2] {
        case "worker": type = .worker
        case "supervisor": type = .supervisor
        default: return nil
        }
        id = parts[0]
    }

    /// `{Id, Pid | restarting | undefined, Type, []}`, as `supervisor:which_children/1` returns it.
    public var term: Term {
        let child: Term =
            switch status {
            case .running(let pid): .pid(pid)
            case .restarting: "restarting"
            case .notRunning: "undefined"
            }
        return .tuple([id, child, type.term, .list([])])
    }

    /// The term, in Erlang syntax.
    public var description: String { term.description }
}

/// What ``SupervisorRef/countChildren()`` returns: OTP's
/// `[{specs, N}, {active, N}, {supervisors, N}, {workers, N}]`.
public struct ChildCounts: Sendable, Hashable, CustomStringConvertible {
    /// All children, running or not.
    public var specs: Int
    /// The children running now.
    public var active: Int
    /// The children of type supervisor, running or not.
    public var supervisors: Int
    /// The children of type worker, running or not.
    public var workers: Int

    /// Counts from their parts.
    public init(specs: Int, active: Int, supervisors: Int, workers: Int) {
        self.specs = specs
        self.active = active
        self.supervisors = supervisors
        self.workers = workers
    }

    /// Reads the property list (or an Elixir-style map with the same keys).
    public init?(_ term: Term) {
        var values: [Atom: Int] = [:]
        switch term {
        case .list(let items):
            for item in items {
                guard case .tuple(let pair) = item, pair.count == 2, let key = pair[0].atomValue,
                    let value = pair[1].intValue
                else { return nil }
                values[key] = value
            }
        case .map(let map):
            for (key, value) in map {
                guard let key = key.atomValue, let value = value.intValue else { return nil }
                values[key] = value
            }
        default:
            return nil
        }
        guard let specs = values["specs"], let active = values["active"], let supervisors = values["supervisors"],
            let workers = values["workers"]
        else { return nil }
        self.init(specs: specs, active: active, supervisors: supervisors, workers: workers)
    }

    /// `[{specs, N}, {active, N}, {supervisors, N}, {workers, N}]`.
    public var term: Term {
        .list([
            .tuple(["specs", .integer(specs)]), .tuple(["active", .integer(active)]),
            .tuple(["supervisors", .integer(supervisors)]), .tuple(["workers", .integer(workers)]),
        ])
    }

    /// The term, in Erlang syntax.
    public var description: String { term.description }
}
