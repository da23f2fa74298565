import Colony
import ErlangTerm
import Testing

/// Processes on one node: messages, selective receive, timeouts, names, links, monitors, exits.
@Suite("Local processes")
struct LocalProcessTests {
    let node = Node()

    actor Results {
        var values: [Term] = []
        var count: Int { values.count }
        func append(_ value: Term) { values.append(value) }
    }

    @Test("messages from one sender arrive in order")
    func ordering() async throws {
        let results = Results()
        let receiver = node.spawn { process in
            for _ in 0..<10_000 {
                let message = try await process.receive()
                await results.append(message)
            }
        }
        _ = node.spawn { process in
            for i in 0..<10_000 { await process.send(.integer(i), to: receiver) }
        }
        for _ in 0..<1000 where await results.count < 10_000 { try await Task.sleep(for: .milliseconds(10)) }
        let values = await results.values
        #expect(values == (0..<10_000).map { .integer($0) })
    }

    @Test("selective receive skips messages and keeps them, in order, for later")
    func selectiveReceive() async throws {
        let results = Results()
        let pid = node.spawn { process in
            let wanted = try await process.receive(timeout: .seconds(5)) { message -> Term? in
                message.tupleElements?.first == "b" ? message : nil
            }
            await results.append(wanted ?? "timeout")
            for _ in 0..<2 { await results.append(try await process.receive()) }
        }
        await node.send(.tuple(["a", 1]), to: pid)
        await node.send(.tuple(["c", 3]), to: pid)
        await node.send(.tuple(["b", 2]), to: pid)
        for _ in 0..<500 where await results.count < 3 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await results.values == [.tuple(["b", 2]), .tuple(["a", 1]), .tuple(["c", 3])])
    }

    @Test("receive with a timeout returns nil when nothing arrives, and a message when one does")
    func timeouts() async throws {
        let results = Results()
        let pid = node.spawn { process in
            let clock = ContinuousClock()
            let start = clock.now
            let nothing = try await process.receive(timeout: .milliseconds(50))
            let waited = clock.now - start
            await results.append(nothing == nil && waited >= .milliseconds(50) ? "timed_out" : "wrong")
            let zero = try await process.receive(timeout: .zero)
            await results.append(zero == nil ? "empty" : "wrong")
            await results.append(try await process.receive(timeout: .seconds(5)) ?? "missing")
        }
        try await Task.sleep(for: .milliseconds(200))
        await node.send("hello", to: pid)
        for _ in 0..<500 where await results.count < 3 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await results.values == ["timed_out", "empty", "hello"])
    }

    @Test("registered names: register, whereis, send by name, unregister; names die with the process")
    func names() async throws {
        let results = Results()
        let pid = node.spawn { process in
            await results.append(try await process.receive())
        }
        #expect(node.register("named_proc", pid: pid))
        #expect(!node.register("named_proc", pid: pid))
        #expect(node.whereis("named_proc") == pid)
        #expect(await node.send("by_name", to: "named_proc"))
        for _ in 0..<500 where await results.count < 1 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await results.values == ["by_name"])
        for _ in 0..<500 where node.whereis("named_proc") != nil { try await Task.sleep(for: .milliseconds(10)) }
        #expect(node.whereis("named_proc") == nil)
        #expect(await node.send("nobody", to: "named_proc") == false)
    }

    @Test("a monitor delivers DOWN with the exit reason; monitoring a dead pid gives noproc")
    func monitors() async throws {
        let results = Results()
        let target = node.spawn { process in
            _ = try await process.receive()
            throw ProcessExit("boom")
        }
        _ = node.spawn { process in
            let ref = await process.monitor(target)
            await process.send("go", to: target)
            let down = try await process.receive(timeout: .seconds(5))
            await results.append(
                down == .tuple(["DOWN", .reference(ref), "process", .pid(target), "boom"]) ? "down" : down ?? "none")
            let ref2 = await process.monitor(target)
            let again = try await process.receive(timeout: .seconds(5))
            await results.append(
                again == .tuple(["DOWN", .reference(ref2), "process", .pid(target), "noproc"])
                    ? "noproc" : again ?? "none")
        }
        for _ in 0..<500 where await results.count < 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await results.values == ["down", "noproc"])
    }

    @Test("a link kills the partner on an abnormal exit; trapping turns it into an EXIT message")
    func links() async throws {
        let results = Results()
        let trapper = node.spawn { process in
            process.trapExit = true
            let worker = process.node.spawn(link: process.pid) { worker in
                _ = try await worker.receive()
                throw ProcessExit("crashed")
            }
            let bystander = process.node.spawn(link: worker) { bystander in
                _ = try await bystander.receive()
            }
            let watch = await process.monitor(bystander)
            await process.send("go", to: worker)
            var seen: [Term] = []
            for _ in 0..<2 {
                guard let message = try await process.receive(timeout: .seconds(5)) else { break }
                seen.append(message)
            }
            await results.append(
                seen.contains(.tuple(["EXIT", .pid(worker), "crashed"])) ? "exit_trapped" : .list(seen))
            await results.append(
                seen.contains(.tuple(["DOWN", .reference(watch), "process", .pid(bystander), "crashed"]))
                    ? "bystander_killed" : .list(seen))
        }
        _ = trapper
        for _ in 0..<500 where await results.count < 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await results.values == ["exit_trapped", "bystander_killed"])
    }

    @Test("normal exits do not propagate over links; exit(Pid, kill) cannot be trapped")
    func normalAndKill() async throws {
        let results = Results()
        _ = node.spawn { process in
            let quiet = process.node.spawn(link: process.pid) { _ in }
            let watch = await process.monitor(quiet)
            let down = try await process.receive(timeout: .seconds(5))
            await results.append(
                down == .tuple(["DOWN", .reference(watch), "process", .pid(quiet), "normal"]) ? "normal_down" : "wrong")
            let stubborn = process.node.spawn { p in
                p.trapExit = true
                while true { _ = try await p.receive() }
            }
            let ref = await process.monitor(stubborn)
            await process.exit(stubborn, reason: "kill")
            let killed = try await process.receive(timeout: .seconds(5))
            await results.append(
                killed == .tuple(["DOWN", .reference(ref), "process", .pid(stubborn), "killed"])
                    ? "killed" : killed ?? "none")
        }
        for _ in 0..<500 where await results.count < 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await results.values == ["normal_down", "killed"])
    }

    @Test("a thrown Swift error becomes the exit reason {swift_error, Description}")
    func swiftErrors() async throws {
        struct Oops: Error, CustomStringConvertible { var description: String { "oops" } }
        let results = Results()
        _ = node.spawn { process in
            let failing = process.node.spawn { p in
                _ = try await p.receive()
                throw Oops()
            }
            let ref = await process.monitor(failing)
            await process.send("go", to: failing)
            let down = try await process.receive(timeout: .seconds(5))
            let expected: Term = .tuple([
                "DOWN", .reference(ref), "process", .pid(failing), .tuple(["swift_error", .string("oops")]),
            ])
            await results.append(down == expected ? "ok" : down ?? "none")
        }
        for _ in 0..<500 where await results.count < 1 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await results.values == ["ok"])
    }
}
