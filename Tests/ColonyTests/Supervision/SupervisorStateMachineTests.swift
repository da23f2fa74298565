import ErlangTerm
import Testing

@testable import Colony

/// The pure restart logic: directives for every strategy and restart type, the intensity under
/// an injected clock, retries, and the child API, with no processes.
@Suite("SupervisorStateMachine", .timeLimit(.minutes(1)))
struct SupervisorStateMachineTests {
    struct NeverStarted: Error {}

    static let t0 = ContinuousClock.now

    static func pid(_ n: UInt32) -> PID { PID(node: "test@host", id: n, serial: 0, creation: 1) }

    static func spec(
        _ id: Term, restart: ChildSpec.Restart = .permanent, shutdown: ChildSpec.Shutdown? = nil,
        type: ChildSpec.ChildType = .worker
    ) -> ChildSpec {
        ChildSpec(id: id, restart: restart, shutdown: shutdown, type: type) { _, _ in throw NeverStarted() }
    }

    /// A machine with children `a`, `b`, `c` running as pids 1, 2, 3.
    static func machine(
        _ strategy: SupervisorStrategy, maxRestarts: Int = 3,
        restarts: [ChildSpec.Restart] = [.permanent, .permanent, .permanent]
    ) -> SupervisorStateMachine {
        var machine = SupervisorStateMachine(strategy: strategy, maxRestarts: maxRestarts, period: .seconds(5))
        for (index, id) in ["a", "b", "c"].enumerated() {
            machine.initialChildStarted(spec(.atom(Atom(id)), restart: restarts[index]), pid: pid(UInt32(index + 1)))
        }
        return machine
    }

    static func stop(_ id: Term, _ n: UInt32) -> ChildStop {
        ChildStop(id: id, pid: pid(n), shutdown: .timeout(.seconds(5)))
    }

    static let ids: [Term] = ["a", "b", "c"]

    @Test(
        "each strategy restarts exactly its children, stopping the others in reverse start order",
        arguments: [
            SupervisorStrategy.oneForOne, .oneForAll, .restForOne,
        ], [0, 1, 2])
    func strategies(strategy: SupervisorStrategy, crashed: Int) {
        var machine = Self.machine(strategy)
        let directive = machine.childExited(Self.pid(UInt32(crashed + 1)), reason: "boom", at: Self.t0)
        let expected: SupervisorDirective
        switch strategy {
        case .oneForOne:
            expected = .restart(stop: [], start: [Self.ids[crashed]])
        case .oneForAll:
            let others = (0..<3).filter { $0 != crashed }.reversed().map { Self.stop(Self.ids[$0], UInt32($0 + 1)) }
            expected = .restart(stop: others, start: Self.ids)
        case .restForOne:
            let after = ((crashed + 1)..<3).reversed().map { Self.stop(Self.ids[$0], UInt32($0 + 1)) }
            expected = .restart(stop: after, start: Array(Self.ids[crashed...]))
        }
        #expect(directive == expected)
        // Everything to be started is marked not running until it is reported started.
        guard case .restart(_, let starts) = directive else { return }
        for id in starts { #expect(machine.whichChildren.first { $0.id == id }?.status == .notRunning) }
        for (n, id) in starts.enumerated() { machine.childRestarted(id, pid: Self.pid(UInt32(10 + n))) }
        #expect(machine.whichChildren.map(\.id) == Self.ids)
        #expect(machine.whichChildren.allSatisfy { $0.pid != nil })
    }

    @Test(
        "restart types: permanent always, transient only after an abnormal exit, temporary never",
        arguments: [
            ChildSpec.Restart.permanent, .transient, .temporary,
        ], ["normal", "shutdown", .tuple(["shutdown", "bye"]), "crashed"] as [Term])
    func restartTypes(restart: ChildSpec.Restart, reason: Term) {
        var machine = Self.machine(.oneForOne, restarts: [.permanent, restart, .permanent])
        let directive = machine.childExited(Self.pid(2), reason: reason, at: Self.t0)
        let abnormal = reason == "crashed"
        let restarts = restart == .permanent || (restart == .transient && abnormal)
        #expect(directive == (restarts ? .restart(stop: [], start: ["b"]) : .none))
        let listed = machine.whichChildren.first { $0.id == "b" }
        if restart == .temporary {
            #expect(listed == nil)
        } else {
            #expect(listed?.status == .notRunning)
        }
    }

    @Test("one_for_all removes temporary siblings and starts ones that were not running")
    func oneForAllSiblings() {
        var machine = Self.machine(.oneForAll, restarts: [.temporary, .permanent, .transient])
        let r1 = machine.childExited(Self.pid(3), reason: "normal", at: Self.t0)
        #expect(r1 == .none)
        let r2 = machine.childExited(Self.pid(2), reason: "boom", at: Self.t0)
        #expect(r2 == .restart(stop: [Self.stop("a", 1)], start: ["b", "c"]))
        #expect(machine.whichChildren.map(\.id) == ["b", "c"])
    }

    @Test("exits of pids that are not running children are ignored")
    func unknownExit() {
        var machine = Self.machine(.oneForAll)
        let r3 = machine.childExited(Self.pid(99), reason: "boom", at: Self.t0)
        #expect(r3 == .none)
        _ = machine.terminateChild("a")
        // The old pid of a stopped child is not a child any more.
        let r4 = machine.childExited(Self.pid(1), reason: "boom", at: Self.t0)
        #expect(r4 == .none)
        #expect(machine.intensity.restarts.isEmpty)
    }

    @Test("intensity: one restart more than maxRestarts within the period gives up, stopping all in reverse order")
    func intensityExceeded() {
        var machine = Self.machine(.oneForOne, maxRestarts: 3)
        var current = Self.pid(2)
        for second in 0..<3 {
            let directive = machine.childExited(current, reason: "boom", at: Self.t0 + .seconds(second))
            #expect(directive == .restart(stop: [], start: ["b"]))
            current = Self.pid(UInt32(20 + second))
            machine.childRestarted("b", pid: current)
        }
        let directive = machine.childExited(Self.pid(22), reason: "boom", at: Self.t0 + .seconds(3))
        #expect(directive == .shutdown(stop: [Self.stop("c", 3), Self.stop("a", 1)]))
        #expect(machine.whichChildren.allSatisfy { $0.status == .notRunning })
    }

    @Test("intensity: restarts older than the period are forgotten")
    func intensityWindow() {
        var intensity = RestartIntensity(maxRestarts: 3, period: .seconds(5))
        let r6 = intensity.recordRestart(at: Self.t0)
        #expect(r6)
        let r7 = intensity.recordRestart(at: Self.t0 + .seconds(1))
        #expect(r7)
        let r8 = intensity.recordRestart(at: Self.t0 + .seconds(2))
        #expect(r8)
        // At t0+6 the window starts at t0+1: t0 is forgotten, three restarts remain.
        let r9 = intensity.recordRestart(at: Self.t0 + .seconds(6))
        #expect(r9)
        #expect(intensity.restarts == [Self.t0 + .seconds(1), Self.t0 + .seconds(2), Self.t0 + .seconds(6)])
        // At t0+6.5 the window starts at t0+1.5: t0+2, t0+6 and t0+6.5 are three, allowed.
        let r10 = intensity.recordRestart(at: Self.t0 + .milliseconds(6500))
        #expect(r10)
        // At t0+6.9 the window still holds t0+2: four restarts within five seconds.
        let late = intensity.recordRestart(at: Self.t0 + .milliseconds(6900))
        #expect(!late)

        var none = RestartIntensity(maxRestarts: 0, period: .seconds(5))
        let r11 = none.recordRestart(at: Self.t0)
        #expect(!r11)
    }

    @Test("maxRestarts 0: the first restart gives up")
    func zeroIntensity() {
        var machine = Self.machine(.restForOne, maxRestarts: 0)
        let r12 = machine.childExited(Self.pid(1), reason: "boom", at: Self.t0)
        #expect(r12 == .shutdown(stop: [Self.stop("c", 3), Self.stop("b", 2)]))
        // A normal exit of a transient child is no restart and does not count.
        var transient = Self.machine(.oneForOne, maxRestarts: 0, restarts: [.transient, .permanent, .permanent])
        let r13 = transient.childExited(Self.pid(1), reason: "normal", at: Self.t0)
        #expect(r13 == .none)
    }

    @Test("a failed restart waits as restarting, is retried later, and each retry counts")
    func retry() {
        var machine = Self.machine(.restForOne, maxRestarts: 2)
        let r14 = machine.childExited(Self.pid(1), reason: "boom", at: Self.t0)
        #expect(r14 == .restart(stop: [Self.stop("c", 3), Self.stop("b", 2)], start: ["a", "b", "c"]))
        machine.childRestarted("a", pid: Self.pid(11))
        let r15 = machine.childRestartFailed("b")
        #expect(r15 == .retryLater("b"))
        #expect(machine.whichChildren.map(\.status) == [.running(Self.pid(11)), .restarting, .notRunning])
        // The retry restarts from the failed child on (`a` keeps running).
        let r16 = machine.retryRestart("b", at: Self.t0 + .seconds(1))
        #expect(r16 == .restart(stop: [], start: ["b", "c"]))
        let r17 = machine.childRestartFailed("b")
        #expect(r17 == .retryLater("b"))
        // The third restart within the period is one too many.
        let r18 = machine.retryRestart("b", at: Self.t0 + .seconds(2))
        #expect(r18 == .shutdown(stop: [Self.stop("a", 11)]))
        // A retry for a child that no longer waits is ignored.
        var other = Self.machine(.oneForOne)
        let r19 = other.retryRestart("a", at: Self.t0)
        #expect(r19 == .none)
    }

    @Test("terminate, restart, delete and start child")
    func childRequests() throws {
        var machine = Self.machine(.oneForOne, restarts: [.permanent, .temporary, .permanent])
        let r20 = machine.terminateChild("a")
        #expect(try r20.get() == Self.stop("a", 1))
        let r21 = machine.terminateChild("a")
        #expect(try r21.get() == nil)
        #expect(machine.whichChildren.first?.status == .notRunning)
        let r22 = machine.terminateChild("zz")
        #expect(throws: SupervisorError.notFound) { try r22.get() }
        // A temporary child goes when it is terminated.
        let r23 = machine.terminateChild("b")
        #expect(try r23.get() == Self.stop("b", 2))
        #expect(machine.whichChildren.map(\.id) == ["a", "c"])

        let r24 = machine.restartChild("c")
        #expect(throws: SupervisorError.running) { try r24.get() }
        let r25 = machine.restartChild("zz")
        #expect(throws: SupervisorError.notFound) { try r25.get() }
        #expect(try machine.restartChild("a").get().id == "a")
        machine.childRestarted("a", pid: Self.pid(7))
        #expect(machine.whichChildren.first?.status == .running(Self.pid(7)))

        let r26 = machine.deleteChild("a")
        #expect(throws: SupervisorError.running) { try r26.get() }
        _ = machine.terminateChild("a")
        try machine.deleteChild("a").get()
        #expect(machine.whichChildren.map(\.id) == ["c"])
        let r27 = machine.deleteChild("a")
        #expect(throws: SupervisorError.notFound) { try r27.get() }

        #expect(machine.checkNewChild(Self.spec("c")) == .alreadyStarted(Self.pid(3)))
        #expect(machine.checkNewChild(Self.spec("d")) == nil)
        machine.childAdded(Self.spec("d"), pid: nil)
        #expect(machine.checkNewChild(Self.spec("d")) == .alreadyPresent)
        machine.childAdded(Self.spec("e", restart: .temporary), pid: nil)
        #expect(machine.whichChildren.map(\.id) == ["c", "d"])
        machine.childAdded(Self.spec("f", type: .supervisor), pid: Self.pid(8))
        let counts = machine.countChildren { $0 != Self.pid(8) }
        #expect(counts == ChildCounts(specs: 3, active: 1, supervisors: 1, workers: 2))
    }

    @Test("the flags and initial children are checked as OTP does")
    func checks() {
        #expect(
            SupervisorStateMachine.check(maxRestarts: -1, maxSeconds: 5, children: [])
                == .tuple(["supervisor_data", .tuple(["invalid_intensity", -1])]))
        #expect(
            SupervisorStateMachine.check(maxRestarts: 1, maxSeconds: 0, children: [])
                == .tuple(["supervisor_data", .tuple(["invalid_period", 0])]))
        #expect(
            SupervisorStateMachine.check(
                maxRestarts: 1, maxSeconds: 5, children: [Self.spec("a"), Self.spec("b"), Self.spec("a")])
                == .tuple(["start_spec", .tuple(["duplicate_child_name", "a"])]))
        #expect(
            SupervisorStateMachine.check(maxRestarts: 1, maxSeconds: 5, children: [Self.spec("a"), Self.spec("b")])
                == nil)
        #expect(Self.spec("s", type: .supervisor).shutdown == .infinity)
        #expect(Self.spec("w").shutdown == .timeout(.seconds(5)))
        #expect(SupervisorStateMachine.isNormalExit(.tuple(["shutdown", 1])))
        #expect(!SupervisorStateMachine.isNormalExit(.tuple(["shutdown", 1, 2])))
        #expect(!SupervisorStateMachine.isNormalExit("killed"))
    }
}

/// The dynamic supervisor's pure logic.
@Suite("DynamicSupervisorStateMachine", .timeLimit(.minutes(1)))
struct DynamicSupervisorStateMachineTests {
    typealias T = SupervisorStateMachineTests

    static func stop(_ n: UInt32, _ shutdown: ChildSpec.Shutdown = .timeout(.seconds(5))) -> ChildStop {
        ChildStop(id: "undefined", pid: T.pid(n), shutdown: shutdown)
    }

    @Test("children are known by pid, listed in start order, limited by maxChildren")
    func startAndLimit() throws {
        var machine = DynamicSupervisorStateMachine(maxChildren: 2, maxRestarts: 3, period: .seconds(5))
        #expect(machine.checkNewChild(T.spec("w")) == nil)
        machine.childStarted(T.spec("w"), pid: T.pid(5))
        machine.childStarted(T.spec("w", type: .supervisor), pid: T.pid(3))
        #expect(machine.checkNewChild(T.spec("w")) == .maxChildren)
        #expect(machine.whichChildren.map(\.pid) == [T.pid(5), T.pid(3)])
        #expect(machine.whichChildren.allSatisfy { $0.id == "undefined" })
        #expect(machine.countChildren { _ in true } == ChildCounts(specs: 2, active: 2, supervisors: 1, workers: 1))
        let r28 = machine.terminateChild(T.pid(5))
        #expect(try r28.get() == Self.stop(5))
        let r29 = machine.terminateChild(T.pid(5))
        #expect(throws: SupervisorError.notFound) { try r29.get() }
        #expect(machine.checkNewChild(T.spec("w")) == nil)
    }

    @Test("restarts per restart type; the intensity gives up and stops every child")
    func restarts() {
        var machine = DynamicSupervisorStateMachine(maxChildren: nil, maxRestarts: 1, period: .seconds(5))
        machine.childStarted(T.spec("p"), pid: T.pid(1))
        machine.childStarted(T.spec("t", restart: .temporary), pid: T.pid(2))
        machine.childStarted(T.spec("r", restart: .transient, shutdown: .brutalKill), pid: T.pid(3))
        let r30 = machine.childExited(T.pid(2), reason: "boom", at: T.t0)
        #expect(r30 == .none)
        let r31 = machine.childExited(T.pid(3), reason: "shutdown", at: T.t0)
        #expect(r31 == .none)
        #expect(machine.whichChildren.map(\.pid) == [T.pid(1)])
        machine.childStarted(T.spec("r", restart: .transient, shutdown: .brutalKill), pid: T.pid(4))
        let r32 = machine.childExited(T.pid(1), reason: "normal", at: T.t0)
        #expect(r32 == .restart(T.pid(1)))
        machine.childRestarted(T.pid(1), pid: T.pid(6))
        // The restarted child keeps its place.
        #expect(machine.whichChildren.map(\.pid) == [T.pid(6), T.pid(4)])
        let r33 = machine.childExited(T.pid(4), reason: "boom", at: T.t0 + .seconds(1))
        #expect(r33 == .shutdown(stop: [Self.stop(6)]))
        #expect(machine.children.isEmpty)
    }

    @Test("a failed restart is retried later; an ignored restart drops the child")
    func retry() {
        var machine = DynamicSupervisorStateMachine(maxChildren: nil, maxRestarts: 5, period: .seconds(5))
        machine.childStarted(T.spec("p"), pid: T.pid(1))
        let r34 = machine.childExited(T.pid(1), reason: "boom", at: T.t0)
        #expect(r34 == .restart(T.pid(1)))
        let r35 = machine.childRestartFailed(T.pid(1))
        #expect(r35 == .retryLater(T.pid(1)))
        #expect(machine.whichChildren.map(\.status) == [.restarting])
        #expect(machine.countChildren { _ in true }.active == 0)
        let r36 = machine.retryRestart(T.pid(1), at: T.t0)
        #expect(r36 == .restart(T.pid(1)))
        machine.childRestarted(T.pid(1), pid: nil)
        #expect(machine.children.isEmpty)
        let r37 = machine.retryRestart(T.pid(1), at: T.t0)
        #expect(r37 == .none)
    }
}
