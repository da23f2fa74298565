import ErlangTerm

/// The decisions of a dynamic supervisor (Elixir's `DynamicSupervisor`, OTP's
/// `simple_one_for_one` with a spec per child), without processes: children started on request,
/// one_for_one restarts, the restart intensity and the `maxChildren` limit.
/// ``DynamicSupervisorServer`` carries out its directives.
///
/// Children are known by pid: the pid they run as, or, while a failed restart waits to be tried
/// again, the pid they last ran as. The restart rules per restart type and the intensity are
/// those of ``SupervisorStateMachine``.
struct DynamicSupervisorStateMachine: Sendable {
    enum ChildStatus: Sendable, Hashable {
        case running
        /// A restart failed and waits to be tried again.
        case restarting
    }

    struct Child: Sendable {
        var spec: ChildSpec
        var status: ChildStatus
        /// Start order, for `which_children` and the order of stopping.
        var order: UInt64
    }

    /// The most children at once (running or waiting for a restart); `nil` for no limit.
    let maxChildren: Int?
    private(set) var intensity: RestartIntensity
    /// The children by pid.
    private(set) var children: [PID: Child] = [:]
    private var nextOrder: UInt64 = 0

    init(maxChildren: Int?, maxRestarts: Int, period: Duration) {
        self.maxChildren = maxChildren
        self.intensity = RestartIntensity(maxRestarts: maxRestarts, period: period)
    }

    /// Why these flags are refused, as OTP's reason term, or `nil`.
    static func check(maxChildren: Int?, maxRestarts: Int, maxSeconds: Int) -> Term? {
        if let maxChildren, maxChildren < 0 {
            return .tuple(["supervisor_data", .tuple(["invalid_max_children", .integer(maxChildren)])])
        }
        return SupervisorStateMachine.check(maxRestarts: maxRestarts, maxSeconds: maxSeconds, children: [])
    }

    // MARK: - Starting

    /// Whether a new child may be started: `maxChildren` or a bad spec refuse it.
    func checkNewChild(_ spec: ChildSpec) -> SupervisorError? {
        if let maxChildren, children.count >= maxChildren { return .maxChildren }
        if let problem = SupervisorStateMachine.check(spec) { return .startFailed(reason: problem) }
        return nil
    }

    /// A new child started as `pid`.
    mutating func childStarted(_ spec: ChildSpec, pid: PID) {
        children[pid] = Child(spec: spec, status: .running, order: nextOrder)
        nextOrder += 1
    }

    // MARK: - Exits and restarts

    /// A linked process exited; pids that are not running children are ignored.
    mutating func childExited(_ pid: PID, reason: Term, at now: ContinuousClock.Instant)
        -> DynamicSupervisorDirective
    {
        guard let child = children[pid], child.status == .running else { return .none }
        switch child.spec.restart {
        case .permanent:
            return restart(pid, now: now)
        case .transient where !SupervisorStateMachine.isNormalExit(reason):
            return restart(pid, now: now)
        case .transient, .temporary:
            children[pid] = nil
            return .none
        }
    }

    /// The shell's retry of a failed restart; ignored when the child no longer waits for it.
    mutating func retryRestart(_ key: PID, at now: ContinuousClock.Instant) -> DynamicSupervisorDirective {
        guard children[key]?.status == .restarting else { return .none }
        return restart(key, now: now)
    }

    private mutating func restart(_ key: PID, now: ContinuousClock.Instant) -> DynamicSupervisorDirective {
        guard intensity.recordRestart(at: now) else {
            children[key] = nil
            return .shutdown(stop: stopAll())
        }
        return .restart(key)
    }

    /// The restart of the child known as `key` started it as `pid`, or was ignored (`nil`: the
    /// child goes).
    mutating func childRestarted(_ key: PID, pid: PID?) {
        guard var child = children.removeValue(forKey: key) else { return }
        guard let pid else { return }
        child.status = .running
        children[pid] = child
    }

    /// The restart of the child known as `key` failed: it waits, `restarting`, for a retry.
    mutating func childRestartFailed(_ key: PID) -> DynamicSupervisorDirective {
        guard children[key] != nil else { return .none }
        children[key]?.status = .restarting
        return .retryLater(key)
    }

    // MARK: - Requests

    /// `terminate_child(Pid)`: the child goes; returns what to stop when it runs.
    mutating func terminateChild(_ pid: PID) -> Result<ChildStop?, SupervisorError> {
        guard let child = children.removeValue(forKey: pid) else { return .failure(.notFound) }
        guard child.status == .running else { return .success(nil) }
        return .success(ChildStop(id: "undefined", pid: pid, shutdown: child.spec.shutdown))
    }

    /// Every running child, in reverse start order, to stop; all children go.
    mutating func stopAll() -> [ChildStop] {
        let stops = ordered.reversed().compactMap { pid, child in
            child.status == .running ? ChildStop(id: "undefined", pid: pid, shutdown: child.spec.shutdown) : nil
        }
        children = [:]
        return stops
    }

    /// The spec of the child known as `key`.
    func spec(for key: PID) -> ChildSpec? {
        children[key]?.spec
    }

    /// `which_children`, in start order: `{undefined, Pid | restarting, Type, []}`.
    var whichChildren: [SupervisorChild] {
        ordered.map { pid, child in
            SupervisorChild(
                id: "undefined", status: child.status == .running ? .running(pid) : .restarting, type: child.spec.type)
        }
    }

    /// `count_children`; `isAlive` as in ``SupervisorStateMachine/countChildren(isAlive:)``.
    func countChildren(isAlive: (PID) -> Bool) -> ChildCounts {
        var counts = ChildCounts(specs: children.count, active: 0, supervisors: 0, workers: 0)
        for (pid, child) in children {
            if child.status == .running && isAlive(pid) { counts.active += 1 }
            if child.spec.type == .supervisor { counts.supervisors += 1 } else { counts.workers += 1 }
        }
        return counts
    }

    private var ordered: [(PID, Child)] {
        children.map { ($0.key, $0.value) }.sorted { $0.1.order < $1.1.order }
    }
}
