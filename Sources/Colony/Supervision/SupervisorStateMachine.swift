import ErlangTerm

/// The decisions of OTP's `supervisor` (one_for_one, one_for_all, rest_for_one), without
/// processes: the children in start order, the strategy and the restart intensity. Events go in
/// (a child exited, a restart succeeded or failed, an API request), ``SupervisorDirective``s come
/// out; ``SupervisorServer`` carries them out. Time is passed in with each event that counts a
/// restart, so tests drive the intensity with made-up instants.
///
/// The rules, as `supervisor.erl` has them:
/// - A child that exits is restarted when it is `permanent`, or `transient` and the reason is
///   not `normal`, `shutdown` or `{shutdown, _}`. Otherwise a `temporary` child is removed and
///   any other is kept, not running.
/// - Each restart counts against the intensity; when it is exceeded the supervisor stops every
///   child in reverse start order and exits with `shutdown`.
/// - `oneForOne` starts the child again. `oneForAll` stops every other child (reverse start
///   order) and starts all again (start order); `restForOne` does the same for the children
///   started after the one that exited. Temporary children stopped that way are removed, and
///   children that were not running are started too.
/// - A restart that fails marks the child `restarting` and is tried again later (each try counts
///   as a restart), after the supervisor has handled what is already in its mailbox.
struct SupervisorStateMachine: Sendable {
    /// Whether a child runs.
    enum ChildStatus: Sendable, Hashable {
        case running(PID)
        /// OTP's `undefined`.
        case notRunning
        /// A restart failed and waits to be tried again.
        case restarting
    }

    /// A child: its spec and whether it runs.
    struct Child: Sendable {
        var spec: ChildSpec
        var status: ChildStatus
        var id: Term { spec.id }
    }

    let strategy: SupervisorStrategy
    private(set) var intensity: RestartIntensity
    /// The children in start order.
    private(set) var children: [Child] = []

    init(strategy: SupervisorStrategy, maxRestarts: Int, period: Duration) {
        self.strategy = strategy
        self.intensity = RestartIntensity(maxRestarts: maxRestarts, period: period)
    }

    // MARK: - Checks

    /// Why these supervisor flags and initial children are refused, as OTP's reason term, or
    /// `nil` when they are fine: `{supervisor_data, {invalid_intensity, N}}`,
    /// `{supervisor_data, {invalid_period, N}}` or `{start_spec, Problem}` for a child spec.
    static func check(maxRestarts: Int, maxSeconds: Int, children: [ChildSpec]) -> Term? {
        if maxRestarts < 0 {
            return .tuple(["supervisor_data", .tuple(["invalid_intensity", .integer(maxRestarts)])])
        }
        if maxSeconds <= 0 { return .tuple(["supervisor_data", .tuple(["invalid_period", .integer(maxSeconds)])]) }
        var seen: Set<Term> = []
        for spec in children {
            if let problem = check(spec) { return .tuple(["start_spec", problem]) }
            guard seen.insert(spec.id).inserted else {
                return .tuple(["start_spec", .tuple(["duplicate_child_name", spec.id])])
            }
        }
        return nil
    }

    /// Why one child spec is refused (a negative shutdown timeout), or `nil`.
    static func check(_ spec: ChildSpec) -> Term? {
        if case .timeout(let duration) = spec.shutdown, duration < .zero {
            return .tuple(["invalid_shutdown", spec.shutdown.term])
        }
        return nil
    }

    /// Whether an exit reason counts as a normal end for a transient child.
    static func isNormalExit(_ reason: Term) -> Bool {
        switch reason {
        case .atom(ExitReasons.normal), .atom(ExitReasons.shutdown): true
        case .tuple(let parts) where parts.count == 2 && parts[0] == .atom(ExitReasons.shutdown): true
        default: false
        }
    }

    // MARK: - Initial start

    /// An initial child has been started (`pid`) or ignored (`nil`): it joins the end of the list;
    /// an ignored temporary child is dropped.
    mutating func initialChildStarted(_ spec: ChildSpec, pid: PID?) {
        if let pid {
            children.append(Child(spec: spec, status: .running(pid)))
        } else if spec.restart != .temporary {
            children.append(Child(spec: spec, status: .notRunning))
        }
    }

    /// Every running child, in reverse start order, to stop when the supervisor stops (or an
    /// initial start failed). Marks them stopped; temporary children are removed.
    mutating func stopAll() -> [ChildStop] {
        stopChildren(from: 0)
    }

    // MARK: - Exits and restarts

    /// A linked process exited. Pids that are not running children are ignored.
    mutating func childExited(_ pid: PID, reason: Term, at now: ContinuousClock.Instant) -> SupervisorDirective {
        guard let index = children.firstIndex(where: { $0.status == .running(pid) }) else { return .none }
        switch children[index].spec.restart {
        case .permanent:
            return restart(at: index, now: now)
        case .transient where !Self.isNormalExit(reason):
            return restart(at: index, now: now)
        case .transient, .temporary:
            markStopped(at: index)
            return .none
        }
    }

    /// The shell's retry of a restart that failed (after ``SupervisorDirective/retryLater(_:)``).
    /// Ignored when the child is no longer waiting for it.
    mutating func retryRestart(_ id: Term, at now: ContinuousClock.Instant) -> SupervisorDirective {
        guard let index = index(of: id), children[index].status == .restarting else { return .none }
        return restart(at: index, now: now)
    }

    /// A child of a ``SupervisorDirective/restart(stop:start:)`` started (`pid`) or ignored (`nil`).
    mutating func childRestarted(_ id: Term, pid: PID?) {
        guard let index = index(of: id) else { return }
        if let pid {
            children[index].status = .running(pid)
        } else {
            markStopped(at: index)
        }
    }

    /// A child of a ``SupervisorDirective/restart(stop:start:)`` failed to start: it waits,
    /// `restarting`, for a retry.
    mutating func childRestartFailed(_ id: Term) -> SupervisorDirective {
        guard let index = index(of: id) else { return .none }
        children[index].status = .restarting
        return .retryLater(id)
    }

    private mutating func restart(at index: Int, now: ContinuousClock.Instant) -> SupervisorDirective {
        guard intensity.recordRestart(at: now) else {
            markStopped(at: index)
            return .shutdown(stop: stopAll())
        }
        let id = children[index].id
        switch strategy {
        case .oneForOne:
            children[index].status = .notRunning
            return .restart(stop: [], start: [id])
        case .oneForAll:
            children[index].status = .notRunning
            let stops = stopChildren(from: 0)
            return .restart(stop: stops, start: children.map(\.id))
        case .restForOne:
            children[index].status = .notRunning
            let stops = stopChildren(from: index)
            let from = self.index(of: id) ?? children.endIndex
            return .restart(stop: stops, start: children[from...].map(\.id))
        }
    }

    /// OTP's `terminate_children/2` over the children from `start` on: the running ones, in
    /// reverse start order, to stop; temporary ones removed, the others marked not running.
    private mutating func stopChildren(from start: Int) -> [ChildStop] {
        var stops: [ChildStop] = []
        var index = children.count - 1
        while index >= start {
            let child = children[index]
            if case .running(let pid) = child.status {
                stops.append(ChildStop(id: child.id, pid: pid, shutdown: child.spec.shutdown))
            }
            markStopped(at: index)
            index -= 1
        }
        return stops
    }

    /// OTP's `del_child`: a temporary child goes, any other stays without a pid.
    private mutating func markStopped(at index: Int) {
        if children[index].spec.restart == .temporary {
            children.remove(at: index)
        } else {
            children[index].status = .notRunning
        }
    }

    // MARK: - Requests

    /// `terminate_child`: the child to stop, if it runs; then it is marked stopped (a temporary
    /// child is removed).
    mutating func terminateChild(_ id: Term) -> Result<ChildStop?, SupervisorError> {
        guard let index = index(of: id) else { return .failure(.notFound) }
        let child = children[index]
        markStopped(at: index)
        guard case .running(let pid) = child.status else { return .success(nil) }
        return .success(ChildStop(id: id, pid: pid, shutdown: child.spec.shutdown))
    }

    /// `restart_child`: the spec to start when the child exists and is not running. Report the
    /// outcome with ``childRestarted(_:pid:)``; a failure leaves it as it was.
    func restartChild(_ id: Term) -> Result<ChildSpec, SupervisorError> {
        guard let index = index(of: id) else { return .failure(.notFound) }
        switch children[index].status {
        case .running: return .failure(.running)
        case .restarting: return .failure(.restarting)
        case .notRunning: return .success(children[index].spec)
        }
    }

    /// `delete_child`: removes a child that is not running.
    mutating func deleteChild(_ id: Term) -> Result<Void, SupervisorError> {
        guard let index = index(of: id) else { return .failure(.notFound) }
        switch children[index].status {
        case .running: return .failure(.running)
        case .restarting: return .failure(.restarting)
        case .notRunning:
            children.remove(at: index)
            return .success(())
        }
    }

    /// `start_child`: whether a new child with this spec may be started (its id is free).
    func checkNewChild(_ spec: ChildSpec) -> SupervisorError? {
        guard let index = index(of: spec.id) else { return nil }
        if case .running(let pid) = children[index].status { return .alreadyStarted(pid) }
        return .alreadyPresent
    }

    /// A child added by `start_child` started (`pid`) or was ignored (`nil`): it joins the end of
    /// the start order (an ignored temporary child is dropped).
    mutating func childAdded(_ spec: ChildSpec, pid: PID?) {
        initialChildStarted(spec, pid: pid)
    }

    /// The spec of the child with this id.
    func spec(for id: Term) -> ChildSpec? {
        index(of: id).map { children[$0].spec }
    }

    /// `which_children`, in start order.
    var whichChildren: [SupervisorChild] {
        children.map { child in
            let status: SupervisorChild.Status =
                switch child.status {
                case .running(let pid): .running(pid)
                case .notRunning: .notRunning
                case .restarting: .restarting
                }
            return SupervisorChild(id: child.id, status: status, type: child.spec.type)
        }
    }

    /// `count_children`; `isAlive` says whether a running child's process is still alive (its
    /// `EXIT` may not have been handled yet), as OTP checks with `is_process_alive/1`.
    func countChildren(isAlive: (PID) -> Bool) -> ChildCounts {
        var counts = ChildCounts(specs: children.count, active: 0, supervisors: 0, workers: 0)
        for child in children {
            if case .running(let pid) = child.status, isAlive(pid) { counts.active += 1 }
            if child.spec.type == .supervisor { counts.supervisors += 1 } else { counts.workers += 1 }
        }
        return counts
    }

    private func index(of id: Term) -> Int? {
        children.firstIndex { $0.id == id }
    }
}
