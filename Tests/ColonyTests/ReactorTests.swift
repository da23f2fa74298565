import Colony
import ErlangTerm
import Testing

/// Reactive processes: no task while idle, messages in order, state kept, stop and errors as exit
/// reasons, trapped exits.
@Suite("Reactive processes")
struct ReactorTests {
    let node = Node()

    actor Results {
        var values: [Term] = []
        var count: Int { values.count }
        func append(_ value: Term) { values.append(value) }
    }

    func waitFor(_ results: Results, count: Int) async throws {
        for _ in 0..<500 where await results.count < count { try await Task.sleep(for: .milliseconds(10)) }
    }

    @Test("a reactor keeps its state across messages and handles them in order")
    func counter() async throws {
        let results = Results()
        let counter = node.spawnReactor(initial: [Int]()) { seen, message, process in
            switch message {
            case .integer(let i): seen.append(i)
            case .tuple(let t) where t.count == 2 && t[0] == "get":
                if case .pid(let from) = t[1] { await process.send(.list(seen.map { .integer($0) }), to: from) }
            default: break
            }
            return .continue
        }
        node.spawn { process in
            for i in 0..<1000 { await process.send(.integer(i), to: counter) }
            // Idle for a while: the reactor's task ends; the next message starts a new one.
            try await Task.sleep(for: .milliseconds(50))
            await process.send(.tuple(["get", .pid(process.pid)]), to: counter)
            await results.append(try await process.receive(timeout: .seconds(5)) ?? "none")
        }
        try await waitFor(results, count: 1)
        #expect(await results.values == [.list((0..<1000).map { .integer($0) })])
    }

    @Test("stop and thrown errors become exit reasons that monitors see")
    func stopAndErrors() async throws {
        struct Broken: Error, CustomStringConvertible { var description: String { "broken" } }
        let results = Results()
        let stopper = node.spawnReactor(initial: 0) { _, message, _ in message == "stop" ? .stop("done") : .continue }
        let thrower = node.spawnReactor(initial: 0) { _, message, _ in
            if message == "throw" { throw Broken() }
            return .continue
        }
        node.spawn { process in
            let a = await process.monitor(stopper)
            let b = await process.monitor(thrower)
            await process.send("stop", to: stopper)
            await process.send("throw", to: thrower)
            for _ in 0..<2 {
                guard let down = try await process.receive(timeout: .seconds(5)) else { break }
                if down == .tuple(["DOWN", .reference(a), "process", .pid(stopper), "done"]) {
                    await results.append("stopped")
                } else if down
                    == .tuple([
                        "DOWN", .reference(b), "process", .pid(thrower), .tuple(["swift_error", .string("broken")]),
                    ])
                {
                    await results.append("threw")
                } else {
                    await results.append(down)
                }
            }
        }
        try await waitFor(results, count: 2)
        #expect(Set(await results.values) == ["stopped", "threw"])
    }

    @Test("a trapping reactor gets exit signals as messages; a non-trapping one dies with the link")
    func exits() async throws {
        let results = Results()
        let trapper = node.spawnReactor(initial: false) { started, message, process in
            if !started {
                process.trapExit = true
                started = true
            }
            if case .tuple(let t) = message, t.first == "EXIT" { await results.append(.tuple(["trapped", t[2]])) }
            return .continue
        }
        node.spawn { process in
            await process.send("init", to: trapper)
            try await Task.sleep(for: .milliseconds(50))
            let worker = process.node.spawn(link: trapper) { worker in
                _ = try await worker.receive()
                throw ProcessExit("crash")
            }
            let plain = process.node.spawnReactor(link: worker, initial: 0) { _, _, _ in .continue }
            let watch = await process.monitor(plain)
            await process.send("go", to: worker)
            let down = try await process.receive(timeout: .seconds(5))
            await results.append(
                down == .tuple(["DOWN", .reference(watch), "process", .pid(plain), "crash"])
                    ? "linked_died" : down ?? "none")
        }
        try await waitFor(results, count: 2)
        #expect(Set(await results.values) == [.tuple(["trapped", "crash"]), "linked_died"])
    }
}
