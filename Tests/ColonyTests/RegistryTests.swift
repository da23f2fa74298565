import Colony
import ErlangTerm
import Testing

/// `Registry`: unique and duplicate keys, queries, metadata, removal when a process ends (by the
/// partition owner's monitor), partitions under concurrent registration, via-naming, stop.
///
/// Removal follows the owner's handling of a `DOWN` message, so tests wait for it with a bounded
/// poll (`eventually`), never a fixed sleep.
@Suite("Registry")
struct RegistryTests {
    let node = Node()

    actor Results {
        var values: [Term] = []
        var count: Int { values.count }
        func append(_ value: Term) { values.append(value) }
    }

    /// Polls `condition` until it holds, for at most ten seconds.
    func eventually(_ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return true
    }

    /// Waits until `results` holds `count` values, for at most ten seconds.
    func eventually(_ results: Results, count: Int) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while await results.count < count {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return true
    }

    /// A process that waits for one message: `stop` ends it normally, `crash` with reason `boom`.
    func spawnWaiter() -> PID {
        node.spawn { process in
            if try await process.receive() == "crash" { throw ProcessExit("boom") }
        }
    }

    @Test("unique keys: register, lookup, already_registered", .timeLimit(.minutes(1)))
    func uniqueKeys() async throws {
        let registry = try Registry.start(on: node, keys: .unique)
        let (a, b) = (spawnWaiter(), spawnWaiter())
        let owner = try registry.register("a", value: 1, process: a)
        #expect(registry.partitionOwners == [owner])
        #expect(registry.lookup("a").map(\.pid) == [a])
        #expect(registry.lookup("a").map(\.value) == [1])
        #expect(registry.lookup("missing").isEmpty)
        #expect(throws: RegistryError.alreadyRegistered(a)) { try registry.register("a", value: 2, process: b) }
        #expect(throws: RegistryError.alreadyRegistered(a)) { try registry.register("a", value: 2, process: a) }
        #expect(RegistryError.alreadyRegistered(a).term == .tuple(["already_registered", .pid(a)]))
        #expect(registry.lookup("a").map(\.value) == [1])
        try registry.register("b", value: 2, process: b)
        #expect(registry.count() == 2)
        registry.unregister("a", process: b)  // not b's key: stays
        #expect(registry.lookup("a").map(\.pid) == [a])
        registry.unregister("a", process: a)
        #expect(registry.lookup("a").isEmpty)
        try registry.register("a", value: 3, process: b)
        #expect(registry.lookup("a").map(\.pid) == [b])
        #expect(Set(registry.keys(for: b)) == ["a", "b"])
        #expect(registry.keys(for: a).isEmpty)
        await registry.stop()
    }

    @Test("duplicate keys: several processes and several entries per process", .timeLimit(.minutes(1)))
    func duplicateKeys() async throws {
        let registry = try Registry.start(on: node, keys: .duplicate, partitions: 3)
        let (a, b) = (spawnWaiter(), spawnWaiter())
        try registry.register("topic", value: 1, process: a)
        try registry.register("topic", value: 2, process: a)
        try registry.register("topic", value: 3, process: b)
        try registry.register("other", value: 4, process: b)
        #expect(registry.lookup("topic").count == 3)
        #expect(
            Set(registry.lookup("topic").map { Term.tuple([.pid($0.pid), $0.value]) })
                == [.tuple([.pid(a), 1]), .tuple([.pid(a), 2]), .tuple([.pid(b), 3])])
        #expect(registry.values("topic", process: a) == [1, 2])
        #expect(registry.keys(for: a) == ["topic", "topic"])
        #expect(Set(registry.keys(for: b)) == ["topic", "other"])
        #expect(registry.count() == 4)
        #expect(registry.count(matching: "topic") == 3)
        registry.unregister("topic", process: a)
        #expect(registry.lookup("topic").map(\.pid) == [b])
        #expect(registry.keys(for: a).isEmpty)
        #expect(registry.count() == 2)
        await registry.stop()
    }

    @Test("keys, count, select, match, count_match and count_select over partitions", .timeLimit(.minutes(1)))
    func queries() async throws {
        let registry = try Registry.start(on: node, keys: .unique, partitions: 4)
        let (a, b) = (spawnWaiter(), spawnWaiter())
        for i in 0..<20 {
            try registry.register(.tuple(["a", .integer(i)]), value: .integer(i), process: a)
            try registry.register(.tuple(["b", .integer(i)]), value: .integer(i * 10), process: b)
        }
        #expect(registry.count() == 40)
        #expect(Set(registry.keys(for: a)) == Set((0..<20).map { Term.tuple(["a", .integer($0)]) }))
        #expect(registry.count(matching: .tuple(["b", 3])) == 1)
        #expect(registry.count(matching: .tuple(["b", 3])) { pid, value in pid == b && value == 30 } == 1)
        #expect(registry.count(matching: .tuple(["b", 3])) { _, value in value == 3 } == 0)
        #expect(registry.match(.tuple(["b", 4]), where: { $0 == 40 }).map(\.pid) == [b])
        #expect(registry.match(.tuple(["b", 4]), where: { $0 == 4 }).isEmpty)
        let big = registry.select { $0.pid == b && ($0.value.intValue ?? 0) >= 150 }
        #expect(Set(big.map(\.key)) == Set((15..<20).map { Term.tuple(["b", .integer($0)]) }))
        #expect(big.allSatisfy { $0.pid == b })
        #expect(registry.select().count == 40)
        #expect(registry.count { $0.pid == a } == 20)
        await registry.stop()
    }

    @Test("dispatch calls the body with the entries of a key and nothing else", .timeLimit(.minutes(1)))
    func dispatch() async throws {
        let registry = try Registry.start(on: node, keys: .duplicate, partitions: 4)
        let results = Results()
        var subscribers: [PID] = []
        for i in 0..<10 {
            let pid = node.spawn { process in
                let news = try await process.receive()
                await results.append(.tuple([.integer(i), news]))
            }
            try registry.register("news", value: .integer(i), process: pid)
            subscribers.append(pid)
        }
        try registry.register("sport", value: 99, process: subscribers[0])
        var calls = 0
        var seen: [PID] = []
        await registry.dispatch("news") { entries in
            calls += 1
            for entry in entries {
                seen.append(entry.pid)
                await node.send(.tuple(["headline", entry.value]), to: entry.pid)
            }
        }
        #expect(Set(seen) == Set(subscribers))
        #expect(seen.count == 10)
        #expect((1...4).contains(calls))
        #expect(await eventually(results, count: 10))
        #expect(
            Set(await results.values)
                == Set((0..<10).map { Term.tuple([.integer($0), .tuple(["headline", .integer($0)])]) }))
        var none = 0
        await registry.dispatch("missing") { _ in none += 1 }
        #expect(none == 0)

        let unique = try Registry.start(on: node, keys: .unique, partitions: 4)
        let holder = spawnWaiter()
        try unique.register("k", value: "v", process: holder)
        var received: [[Term]] = []
        await unique.dispatch("k") { entries in received.append(entries.map { .tuple([.pid($0.pid), $0.value]) }) }
        #expect(received == [[.tuple([.pid(holder), "v"])]])
        await registry.stop()
        await unique.stop()
    }

    @Test("updateValue changes the caller's own value in a unique registry", .timeLimit(.minutes(1)))
    func updateValue() async throws {
        let registry = try Registry.start(on: node, keys: .unique, partitions: 2)
        let (a, b) = (spawnWaiter(), spawnWaiter())
        try registry.register("counter", value: 1, process: a)
        let result = try registry.updateValue("counter", process: a) { .integer(($0.intValue ?? 0) + 41) }
        #expect(result?.new == 42)
        #expect(result?.old == 1)
        #expect(registry.lookup("counter").map(\.value) == [42])
        #expect(try registry.updateValue("counter", process: b) { _ in 0 } == nil)
        #expect(try registry.updateValue("missing", process: a) { _ in 0 } == nil)
        #expect(registry.lookup("counter").map(\.value) == [42])

        let duplicate = try Registry.start(on: node, keys: .duplicate)
        try duplicate.register("counter", value: 1, process: a)
        #expect(throws: RegistryError.notUnique) { try duplicate.updateValue("counter", process: a) { $0 } }
        await registry.stop()
        await duplicate.stop()
    }

    @Test("metadata: meta, putMeta, deleteMeta", .timeLimit(.minutes(1)))
    func metadata() async throws {
        let registry = try Registry.start(on: node, keys: .unique)
        #expect(registry.meta("custom") == nil)
        registry.putMeta("custom", .string("value"))
        registry.putMeta(.tuple(["tuple", 1]), [1, 2])
        #expect(registry.meta("custom") == .string("value"))
        #expect(registry.meta(.tuple(["tuple", 1])) == [1, 2])
        registry.putMeta("custom", 2)
        #expect(registry.meta("custom") == 2)
        registry.deleteMeta("custom")
        #expect(registry.meta("custom") == nil)
        await registry.stop()
        #expect(registry.meta(.tuple(["tuple", 1])) == nil)
    }

    @Test("entries go after a normal exit", .timeLimit(.minutes(1)))
    func removalAfterNormalExit() async throws {
        let registry = try Registry.start(on: node, keys: .unique)
        let (a, b) = (spawnWaiter(), spawnWaiter())
        try registry.register("a", value: 1, process: a)
        try registry.register("b", value: 2, process: b)
        await node.send("stop", to: a)
        #expect(await eventually { registry.lookup("a").isEmpty })
        #expect(registry.keys(for: a).isEmpty)
        #expect(registry.count() == 1)
        #expect(registry.lookup("b").map(\.pid) == [b])
        #expect(!node.isAlive(a))
        await registry.stop()
    }

    @Test("entries go after an abnormal exit", .timeLimit(.minutes(1)))
    func removalAfterCrash() async throws {
        let registry = try Registry.start(on: node, keys: .duplicate, partitions: 2)
        let (a, b) = (spawnWaiter(), spawnWaiter())
        try registry.register("topic", value: 1, process: a)
        try registry.register("topic", value: 2, process: b)
        await node.send("crash", to: a)
        #expect(await eventually { registry.count(matching: "topic") == 1 })
        #expect(registry.lookup("topic").map(\.pid) == [b])
        #expect(registry.keys(for: a).isEmpty)
        await registry.stop()
    }

    @Test("entries go after exit(pid, kill)", .timeLimit(.minutes(1)))
    func removalAfterKill() async throws {
        let registry = try Registry.start(on: node, keys: .unique, partitions: 2)
        let victim = node.spawn { process in
            process.trapExit = true  // kill is untrappable all the same
            while true { _ = try await process.receive() }
        }
        try registry.register("victim", value: 1, process: victim)
        node.spawn { process in await process.exit(victim, reason: "kill") }
        #expect(await eventually { registry.lookup("victim").isEmpty })
        #expect(registry.count() == 0)
        #expect(!node.isAlive(victim))
        await registry.stop()
    }

    @Test("every key of a process goes when it ends, across partitions; others stay", .timeLimit(.minutes(1)))
    func severalKeysPerProcess() async throws {
        let registry = try Registry.start(on: node, keys: .unique, partitions: 4)
        let (a, b) = (spawnWaiter(), spawnWaiter())
        for i in 0..<50 { try registry.register(.tuple(["a", .integer(i)]), value: .integer(i), process: a) }
        for i in 0..<5 { try registry.register(.tuple(["b", .integer(i)]), value: .integer(i), process: b) }
        #expect(registry.keys(for: a).count == 50)
        await node.send("crash", to: a)
        #expect(await eventually { registry.count() == 5 })
        #expect(registry.keys(for: a).isEmpty)
        #expect(registry.keys(for: b).count == 5)
        #expect((0..<50).allSatisfy { registry.lookup(.tuple(["a", .integer($0)])).isEmpty })
        await registry.stop()
    }

    @Test("an unregistered and re-registered process is still watched", .timeLimit(.minutes(1)))
    func reregisterAfterUnregister() async throws {
        let registry = try Registry.start(on: node, keys: .unique)
        let a = spawnWaiter()
        for round in 0..<20 {
            try registry.register("a", value: .integer(round), process: a)
            registry.unregister("a", process: a)
            // The owner may be releasing its monitor of `a` meanwhile; let it run sometimes.
            if round % 4 == 0 { await Task.yield() }
        }
        try registry.register("a", value: 1, process: a)
        try registry.register("b", value: 2, process: a)
        registry.unregister("b", process: a)
        #expect(registry.keys(for: a) == ["a"])
        await node.send("stop", to: a)
        #expect(await eventually { registry.count() == 0 })
        await registry.stop()
    }

    @Test("a unique key whose holder has ended can be taken before its DOWN is handled", .timeLimit(.minutes(1)))
    func keyOfEndedHolder() async throws {
        let registry = try Registry.start(on: node, keys: .unique)
        var fillers: [PID] = []
        for round in 0..<20 {
            let key: Term = .tuple(["seat", .integer(round)])
            let (holder, next) = (spawnWaiter(), spawnWaiter())
            try registry.register(key, value: "first", process: holder)
            try registry.register(.tuple(["other", .integer(round)]), value: 1, process: holder)
            // New processes give the owner work to do before it gets to the holder's DOWN.
            for i in 0..<50 {
                let filler = spawnWaiter()
                try registry.register(.tuple(["filler", .integer(round), .integer(i)]), value: 1, process: filler)
                fillers.append(filler)
            }
            await node.send("stop", to: holder)
            // A tight poll, to catch the moment between the end and the owner's DOWN handling.
            let deadline = ContinuousClock.now + .seconds(10)
            while node.isAlive(holder) && ContinuousClock.now < deadline { await Task.yield() }
            #expect(!node.isAlive(holder))
            // Whether or not the owner has handled the DOWN yet, the key is free.
            try registry.register(key, value: "second", process: next)
            #expect(await eventually { registry.keys(for: holder).isEmpty })
            #expect(registry.lookup(key).map(\.pid) == [next])
            #expect(registry.lookup(key).map(\.value) == ["second"])
            await node.send("stop", to: next)
        }
        for filler in fillers { await node.send("stop", to: filler) }
        #expect(await eventually { registry.count() == 0 })
        await registry.stop()
    }

    @Test("1,000 processes register concurrently over 4 partitions: exact counts", .timeLimit(.minutes(1)))
    func concurrentRegistrations() async throws {
        let unique = try Registry.start(on: node, keys: .unique, partitions: 4)
        let duplicate = try Registry.start(on: node, keys: .duplicate, partitions: 4)
        let results = Results()
        let total = 1000
        var pids: [PID] = []
        for i in 0..<total {
            pids.append(
                node.spawn { process in
                    do {
                        try unique.register(.tuple(["worker", .integer(i)]), value: .integer(i), process: process.pid)
                        try unique.register(.tuple(["extra", .integer(i)]), value: .integer(i), process: process.pid)
                        try duplicate.register("all", value: .integer(i), process: process.pid)
                        try duplicate.register(.integer(i % 10), value: .integer(i), process: process.pid)
                        do {
                            try unique.register("leader", value: .integer(i), process: process.pid)
                            await results.append("won")
                        } catch let error as RegistryError {
                            guard case .alreadyRegistered = error else { throw error }
                            await results.append("lost")
                        }
                    } catch {
                        await results.append(.string("\(error)"))
                    }
                    _ = try await process.receive()
                })
        }
        #expect(await eventually(results, count: total))
        let outcomes = await results.values
        #expect(outcomes.filter { $0 == "won" }.count == 1)
        #expect(outcomes.filter { $0 == "lost" }.count == total - 1)
        #expect(unique.count() == 2 * total + 1)
        #expect(duplicate.count() == 2 * total)
        #expect(duplicate.count(matching: "all") == total)
        #expect(duplicate.lookup("all").count == total)
        #expect(Set(duplicate.lookup("all").map(\.pid)) == Set(pids))
        #expect((0..<10).allSatisfy { duplicate.count(matching: .integer($0)) == total / 10 })
        #expect(
            (0..<total).allSatisfy {
                unique.lookup(.tuple(["worker", .integer($0)])).map(\.pid) == [pids[$0]]
            })
        let leader = try #require(unique.lookup("leader").first?.pid)
        #expect(unique.keys(for: leader).count == 3)
        #expect(duplicate.keys(for: pids[7]).sorted { Term.compare($0, $1) < 0 } == [7, "all"])

        for pid in pids { await node.send("stop", to: pid) }
        #expect(await eventually { unique.count() == 0 && duplicate.count() == 0 })
        #expect(unique.lookup("leader").isEmpty)
        await unique.stop()
        await duplicate.stop()
    }

    @Test("via-naming through ProcessNameRegistry; the name goes with the process", .timeLimit(.minutes(1)))
    func viaNaming() async throws {
        let registry = try Registry.start(on: node, keys: .unique, partitions: 2)
        let naming: any ProcessNameRegistry = registry
        let results = Results()
        let server = node.spawn { process in
            while true {
                let message = try await process.receive()
                if message == "stop" { return }
                await results.append(message)
            }
        }
        let other = spawnWaiter()
        let name: Term = .tuple(["server", .string("one")])
        #expect(await naming.registerName(name, pid: server))
        #expect(await !naming.registerName(name, pid: other))
        #expect(naming.whereisName(name) == server)
        #expect(registry.lookup(name).map(\.value) == [.nil])
        #expect(ServerRef.via(naming, name).term == .tuple(["via", "Registry", name]))

        guard case .via(let via, let viaName) = ServerRef.via(naming, name), let target = via.whereisName(viaName)
        else {
            Issue.record("the via name does not resolve")
            return
        }
        await node.send("hello", to: target)
        #expect(await eventually(results, count: 1))
        #expect(await results.values == ["hello"])

        await naming.unregisterName(name)
        #expect(naming.whereisName(name) == nil)
        #expect(await naming.registerName(name, pid: other))
        #expect(naming.whereisName(name) == other)

        // Removal by the owner's monitor when the process ends.
        #expect(await naming.registerName("server", pid: server))
        await node.send("stop", to: server)
        #expect(await eventually { naming.whereisName("server") == nil })
        #expect(naming.whereisName(name) == other)

        let duplicate = try Registry.start(on: node, keys: .duplicate)
        #expect(!duplicate.registerName("x", pid: other))
        #expect(duplicate.whereisName("x") == nil)
        await registry.stop()
        await duplicate.stop()
    }

    @Test("remote and dead processes are refused", .timeLimit(.minutes(1)))
    func refusals() async throws {
        let registry = try Registry.start(on: node, keys: .unique)
        let remote = PID(node: "elsewhere@host", id: 42, serial: 0, creation: 7)
        #expect(throws: RegistryError.notLocal(remote)) { try registry.register("r", value: 1, process: remote) }
        #expect(!registry.registerName("r", pid: remote))
        let dead = node.spawn { _ in }
        #expect(await eventually { !node.isAlive(dead) })
        #expect(throws: RegistryError.noProcess(dead)) { try registry.register("d", value: 1, process: dead) }
        #expect(registry.count() == 0)
        await registry.stop()
    }

    @Test("stop ends the owners, clears the tables and frees the name", .timeLimit(.minutes(1)))
    func stop() async throws {
        let registry = try Registry.start(on: node, keys: .unique, partitions: 3, name: "Chat")
        #expect(registry.partitionCount == 3)
        #expect(
            Set(node.registeredNames).isSuperset(of: ["Chat.PIDPartition0", "Chat.PIDPartition1", "Chat.PIDPartition2"])
        )
        #expect(throws: RegistryError.nameTaken("Chat")) {
            try Registry.start(on: node, keys: .duplicate, name: "Chat")
        }
        let a = spawnWaiter()
        try registry.register("a", value: 1, process: a)
        registry.putMeta("m", 1)
        let owners = registry.partitionOwners
        #expect(owners.allSatisfy { node.isAlive($0) })

        await registry.stop()
        #expect(registry.isStopped)
        #expect(owners.allSatisfy { !node.isAlive($0) })
        #expect(registry.count() == 0)
        #expect(registry.lookup("a").isEmpty)
        #expect(registry.meta("m") == nil)
        #expect(throws: RegistryError.stopped) { try registry.register("b", value: 1, process: a) }
        await registry.stop()  // a second stop returns at once

        let again = try Registry.start(on: node, keys: .unique, name: "Chat")
        try again.register("a", value: 1, process: a)
        #expect(again.lookup("a").map(\.pid) == [a])
        await again.stop()
        await node.send("stop", to: a)
    }
}
