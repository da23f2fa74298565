import Colony
import ColonyGroups
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// `pg` with a real `erl` in the cluster: the same scope on both, joins and leaves in both
/// directions, members leaving when they exit, and a killed node's members vanishing. And two
/// Colony nodes with nothing else.
@Suite("Groups: pg with OTP", .serialized)
struct ProcessGroupsInteropTests {
    static func eventually(_ seconds: Int, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    static func pids(_ term: Term) -> Set<PID> {
        guard case .list(let elements) = term else { return [] }
        return Set(elements.compactMap { if case .pid(let pid) = $0 { pid } else { nil } })
    }

    @Test("Colony and erl agree on pg members through joins, leaves, exits and a kill -9", .timeLimit(.minutes(2)))
    func withErlang() async throws {
        try await InteropScope.run("pg-erl") { scope in
            let cookie = "pg_interop"
            let epmdPort = try await scope.startEPMD(.colony)
            let node = try await scope.startNode(name: "pg_colony@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
            let groups = try await ProcessGroups.start(on: node)
            let erlName: Atom = "pg_erl@127.0.0.1"
            let erl = try await scope.startAgent(
                name: erlName.name, cookie: cookie, epmdPort: epmdPort, action: "ping", colony: node.name.name)
            let rpc: @Sendable (Atom, Atom, [Term]) async throws -> Term = { module, function, arguments in
                try await node.runProcess { try await $0.rpc(erlName, module, function, arguments) }
            }
            // The default scope is not started by kernel unless asked: start it on erl now.
            let started = try await rpc("pg", "start", ["pg"])
            guard case .tuple(let ok) = started, ok.first == "ok" else {
                Issue.record("pg:start(pg) on erl: \(started)")
                return
            }
            let changes = groups.changes()

            // erl joins: Colony sees it.
            guard case .pid(let erlMember) = try await rpc("erlang", "spawn", ["timer", "sleep", .list(["infinity"])])
            else {
                Issue.record("no pid")
                return
            }
            #expect(try await rpc("pg", "join", ["workers", .pid(erlMember)]) == "ok")
            #expect(await Self.eventually(10) { groups.members("workers").contains(erlMember) })

            // Colony joins: erl sees it; a Colony member that exits leaves on erl too.
            let member = node.spawn { process in _ = try await process.receive() }
            let other = node.spawn { process in _ = try await process.receive() }
            try await groups.join("workers", [member, other])
            #expect(Set(groups.localMembers("workers")) == [member, other])
            #expect(
                try await Self.eventually(10) {
                    Self.pids(try await rpc("pg", "get_members", ["workers"])) == [erlMember, member, other]
                })
            await node.send("stop", to: member)
            #expect(
                try await Self.eventually(10) {
                    Self.pids(try await rpc("pg", "get_members", ["workers"])) == [erlMember, other]
                })
            #expect(try await groups.leave("workers", [other]))
            #expect(try await groups.leave("workers", [other]) == false, "not_joined")
            #expect(
                try await Self.eventually(10) {
                    Self.pids(try await rpc("pg", "get_members", ["workers"])) == [erlMember]
                }
            )
            // Many joins at once go out merged (one join message with a list per group): erl
            // takes them as its own pg would.
            let crowd = (0..<500).map { _ in node.spawn { process in _ = try await process.receive() } }
            await withTaskGroup(of: Void.self) { tasks in
                for pid in crowd { tasks.addTask { try? await groups.join("crowd", [pid]) } }
            }
            #expect(
                try await Self.eventually(10) { Self.pids(try await rpc("pg", "get_members", ["crowd"])) == Set(crowd) }
            )
            for pid in crowd { await node.send("stop", to: pid) }
            #expect(try await Self.eventually(10) { try await rpc("pg", "get_members", ["crowd"]) == .list([]) })

            // erl's member exits: Colony drops it.
            _ = try await rpc("erlang", "exit", [.pid(erlMember), "kill"])
            #expect(await Self.eventually(10) { groups.members("workers").isEmpty })

            // A second erl member, then kill -9 erl: its members vanish.
            guard case .pid(let second) = try await rpc("erlang", "spawn", ["timer", "sleep", .list(["infinity"])])
            else {
                Issue.record("no pid")
                return
            }
            _ = try await rpc("pg", "join", ["other", .list([.pid(second)])])
            #expect(await Self.eventually(10) { groups.members("other") == [second] })
            erl.kill()
            #expect(await Self.eventually(15) { groups.members("other").isEmpty })

            // The changes stream saw erl's first member join.
            var iterator = changes.makeAsyncIterator()
            #expect(await iterator.next() == .join(group: "workers", pids: [erlMember]))
            await groups.stop()
        }
    }

    @Test("colony node --pg-join puts its echo in the group, as erl sees it", .timeLimit(.minutes(1)))
    func nodeCommand() async throws {
        try await InteropScope.run("pg-command") { scope in
            let cookie = "pg_command"
            let epmdPort = try await scope.startEPMD(.colony)
            let colonyName = "pg_cmd@127.0.0.1"
            let colony = try await scope.startColonyProcess(
                name: colonyName, cookie: cookie, epmdPort: epmdPort,
                extra: ["--pg-join", "workers", "--pg-join", "echoes"])
            #expect(await colony.waitForOutput("pg: echo joined echoes", timeout: .seconds(10)))
            let node = try await scope.startNode(name: "pg_observer@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
            let observer = try await ProcessGroups.start(on: node)
            #expect(await node.connect(to: Atom(colonyName)) == .connected)
            let found = await Self.eventually(10) {
                observer.members("workers").count == 1 && observer.members("echoes") == observer.members("workers")
            }
            #expect(found, "\(observer.allMembers)")
            // The member is the node's echo: it answers {From, Msg}.
            if let echo = observer.members("workers").first {
                let reply = try await node.runProcess { process in
                    await process.send(.tuple([.pid(process.pid), "hi"]), to: echo)
                    return try await process.receive(timeout: .seconds(5))
                }
                #expect(reply == .tuple([.pid(echo), "hi"]))
            }
            await observer.stop()
        }
    }

    @Test("two Colony nodes share a scope; one stopping takes its members away", .timeLimit(.minutes(1)))
    func colonyOnly() async throws {
        let pair = try await NodePair("pg")
        defer { Task { await pair.stop() } }
        let a = try await ProcessGroups.start(on: pair.a)
        let b = try await ProcessGroups.start(on: pair.b)
        #expect(await pair.a.connect(to: pair.b.name) == .connected)
        let onA = pair.a.spawn { process in _ = try await process.receive() }
        let onB = pair.b.spawn { process in _ = try await process.receive() }
        try await a.join("g", [onA])
        try await b.join("g", [onB])
        #expect(await Self.eventually(10) { Set(a.members("g")) == [onA, onB] && Set(b.members("g")) == [onA, onB] })
        await #expect(throws: ProcessGroupsError.notLocal(onB)) { try await a.join("g", [onB]) }
        await b.stop()
        #expect(await Self.eventually(10) { a.members("g") == [onA] })
        await a.stop()
    }
}
