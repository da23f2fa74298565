import Colony
import ColonyTestSupport
import ErlangTerm
import Testing

/// Task supervisors: awaited tasks (linked and not), fire-and-forget children, limits, shutdown,
/// and tasks started by name on another node.
@Suite("TaskSupervisor", .timeLimit(.minutes(1)))
struct TaskSupervisorTests {
    struct Failure: Error, CustomStringConvertible {
        var description: String { "task failed" }
    }

    @Test("async_nolink: a result, a failure that leaves the caller alive, yield before and after")
    func asyncNoLink() async throws {
        let node = Node()
        let tasks = try await TaskSupervisor.start(on: node)
        let outcome = try await node.runProcess(timeout: .seconds(20)) { process -> [Term] in
            var seen: [Term] = []
            let sum = try await tasks.asyncNoLink(from: process) { _ in .integer((1...10).reduce(0, +)) }
            seen.append(try await sum.await(in: process))
            let failing = try await tasks.asyncNoLink(from: process) { _ in throw Failure() }
            do {
                _ = try await failing.await(in: process)
            } catch let error as SupervisedTaskError {
                seen.append(error == .exited(.tuple(["swift_error", .string("task failed")])) ? "exited" : "other")
            }
            let slow = try await tasks.asyncNoLink(from: process) { _ in
                try await Task.sleep(for: .milliseconds(200))
                return "slow_done"
            }
            seen.append(try await slow.yield(in: process, timeout: .zero) == nil ? "not_yet" : "early")
            seen.append(
                try await slow.yield(in: process, timeout: .seconds(5)) == .value("slow_done") ? "yielded" : "no")
            do {
                let stuck = try await tasks.asyncNoLink(from: process) { _ in
                    try await Task.sleep(for: .seconds(30))
                    return "never"
                }
                _ = try await stuck.await(in: process, timeout: .milliseconds(50))
            } catch let error as SupervisedTaskError {
                seen.append(error == .timeout ? "timeout" : "other")
            }
            return seen
        }
        #expect(outcome == [55, "exited", "not_yet", "yielded", "timeout"])
    }

    @Test("async links the task to the caller: its failure reaches a trapping caller as EXIT")
    func asyncLinked() async throws {
        let node = Node()
        let tasks = try await TaskSupervisor.start(on: node)
        let outcome = try await node.runProcess(timeout: .seconds(20)) { process -> Term in
            process.trapExit = true
            let task = try await tasks.async(from: process) { _ in throw ProcessExit("bad_input") }
            let exit = try await process.receive(timeout: .seconds(5)) { message -> Term? in
                guard case .tuple(let t) = message, t.count == 3, t[0] == "EXIT", t[1] == .pid(task.pid) else {
                    return nil
                }
                return t[2]
            }
            return exit ?? "no_exit"
        }
        #expect(outcome == "bad_input")
    }

    @Test("start_child, children, terminate_child, max_children, and shutdown of every task on stop")
    func childrenAndShutdown() async throws {
        let node = Node()
        let tasks = try await TaskSupervisor.start(on: node, maxChildren: 2, shutdown: .milliseconds(200))
        let first = try await tasks.startChild(on: node) { _ in try await Task.sleep(for: .seconds(30)) }
        let second = try await tasks.startChild(on: node) { _ in try await Task.sleep(for: .seconds(30)) }
        #expect(Set(try await tasks.children(on: node)) == [first, second])
        await #expect(throws: TaskSupervisorError.refused("max_children")) {
            try await tasks.startChild(on: node) { _ in }
        }
        #expect(try await tasks.terminateChild(first, on: node))
        #expect(!node.isAlive(first))
        #expect(try await tasks.children(on: node) == [second])
        #expect(try await !tasks.terminateChild(first, on: node))
        try await node.stopServer(tasks.ref, reason: "shutdown")
        for _ in 0..<200 where node.isAlive(second) { try await Task.sleep(for: .milliseconds(5)) }
        #expect(!node.isAlive(second))
    }

    @Test("tasks by name on another node: result, undefined function, failure, closure refused, nodedown")
    func remoteTasks() async throws {
        let pair = try await NodePair("task", cookie: "tasks")
        let a = pair.a
        let b = pair.b
        defer { Task { await a.stop() } }
        b.functions.register(module: "math", function: "square") { arguments, _ in
            guard case .integer(let n) = arguments.first else { throw ProcessExit("badarg") }
            return .integer(n * n)
        }
        b.functions.register(module: "math", function: "fail") { _, _ in throw ProcessExit("remote_failure") }
        b.functions.register(module: "math", function: "slow") { _, _ in
            try await Task.sleep(for: .seconds(30))
            return "never"
        }
        _ = try await TaskSupervisor.start(on: b, name: .local("tasks"))
        let remote = TaskSupervisor(.remote("tasks", node: "task_b@127.0.0.2"))
        let outcome = try await a.runProcess(timeout: .seconds(30)) { process -> [Term] in
            var seen: [Term] = []
            let square = try await remote.asyncNoLink(
                from: process, module: "math", function: "square", arguments: [12])
            #expect(square.pid.node == "task_b@127.0.0.2")
            seen.append(try await square.await(in: process))
            do {
                _ = try await remote.asyncNoLink(from: process, module: "math", function: "cube", arguments: [2])
            } catch let error as TaskSupervisorError {
                seen.append(error == .refused(.tuple(["undef", "math", "cube", 1])) ? "undef" : "other")
            }
            do {
                _ = try await remote.asyncNoLink(from: process, module: "math", function: "fail", arguments: [])
                    .await(in: process)
            } catch let error as SupervisedTaskError {
                seen.append(error == .exited("remote_failure") ? "remote_failure" : "other")
            }
            do {
                _ = try await remote.asyncNoLink(from: process) { _ in "closure" }
            } catch let error as TaskSupervisorError {
                seen.append(error == .closureOnRemoteNode("task_b@127.0.0.2") ? "closure_refused" : "other")
            }
            return seen
        }
        #expect(outcome == [144, "undef", "remote_failure", "closure_refused"])

        // The task's node goes away while the caller awaits it.
        let pending = Task {
            try await a.runProcess(timeout: .seconds(30)) { process -> Term in
                let slow = try await remote.asyncNoLink(from: process, module: "math", function: "slow", arguments: [])
                do {
                    _ = try await slow.await(in: process, timeout: .seconds(20))
                    return "returned"
                } catch let error as SupervisedTaskError {
                    if case .exited(let reason) = error { return reason }
                    return "timeout"
                }
            }
        }
        // Stop B once the slow task runs there.
        let local = TaskSupervisor(.name("tasks"))
        for _ in 0..<500 where try await local.children(on: b).isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        #expect(try await local.children(on: b).count == 1)
        await b.stop()
        #expect(try await pending.value == "noconnection")
    }
}
