import Colony
import ColonyCluster
import ColonyGroups
import ErlangTerm

/// The seed guide's walk through a cluster, each step checked.
extension DemoScenario {
    /// Every scenario, in the order the demo runs them.
    public static let all: [DemoScenario] = [
        connect, discovery, messages, rpc, genServer, processGroups, globalNames, replicatedData, replicatedStore,
        supervisor, taskRunner, partition,
    ]

    /// A new member started with no address of anyone is found by gossip (libcluster's format,
    /// UDP multicast on loopback): the members connect to it, and this node hears of it.
    static let discovery = DemoScenario(name: "discovery", title: "a new node is found by gossip") { context in
        let newcomer: Atom = "demo_d@127.0.0.1"
        let pid = try await context.cluster.startMember(newcomer)
        let seen = await context.events.wait(timeout: .seconds(15)) { event in
            if case .nodeUp(newcomer, _) = event { return true }
            return false
        }
        try context.check(seen, "no nodeup for \(newcomer) (OS pid \(pid)) within 15 s")
        var peers: Term = .list([])
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            peers = try await context.inProcess { try await $0.rpc(newcomer, "erlang", "nodes", []) }
            if context.members.allSatisfy({ peers.listElements?.contains(.atom($0)) == true }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        try context.check(
            context.members.allSatisfy { peers.listElements?.contains(.atom($0)) == true },
            "\(newcomer) sees \(peers)")
        return "\(newcomer) (OS pid \(pid)) was found by gossip; it sees \(peers)"
    }

    /// `Node.connect` to each member and `monitorNodes`: a `nodeup` for each, and `nodes()` lists them.
    static let connect = DemoScenario(name: "connect", title: "connect and monitorNodes") { context in
        for member in context.members {
            let result = await context.node.connect(to: member)
            try context.check(result == .connected, "connect to \(member): \(result)")
        }
        for member in context.members {
            let up = await context.events.wait(timeout: .seconds(5)) { event in
                if case .nodeUp(member, _) = event { return true }
                return false
            }
            try context.check(up, "no nodeup for \(member)")
        }
        let visible = context.node.nodes()
        try context.check(Set(context.members).isSubset(of: visible), "nodes() is \(visible)")
        // The members find each other too (transitive connection): ask the first, for a while.
        let others = context.members.dropFirst().map(Term.atom)
        var peers: Term = .list([])
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            peers = try await context.inProcess { process in
                try await process.rpc(context.members[0], "erlang", "nodes", [])
            }
            if others.allSatisfy({ peers.listElements?.contains($0) == true }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try context.check(
            others.allSatisfy { peers.listElements?.contains($0) == true }, "\(context.members[0]) sees \(peers)")
        var transport = ""
        if context.cluster.tls != nil {
            // Over TLS, every connection this node has says so, with the version negotiated.
            let connections = await context.node.snapshot().connections
            let plain = connections.filter { !($0.transport?.hasPrefix("tls TLSv1.") ?? false) }
            try context.check(plain.isEmpty, "connections not over TLS: \(plain.map(\.name))")
            transport =
                "; every connection over TLS (\(connections.first?.transport?.split(separator: " ").dropFirst().first ?? "?"))"
        }
        return
            "nodeup for \(context.members.map(\.name).joined(separator: ", ")); \(context.members[0]) sees \(peers)\(transport)"
    }

    /// Messages by `{name, node}` and by pid, to each member's `echo` (and the Elixir node's),
    /// answered in order.
    static let messages = DemoScenario(name: "messages", title: "messages by {name, node} and by pid") { context in
        try await context.inProcess { process in
            var echoes: [PID] = []
            for member in context.messagingNodes {
                for index in 0..<10 {
                    await process.send(.tuple([.pid(process.pid), .integer(index)]), to: "echo", on: member)
                }
                for index in 0..<10 {
                    guard let reply = try await process.receive(timeout: .seconds(5)),
                        case .tuple(let t) = reply, t.count == 2, case .pid(let echo) = t[0]
                    else { throw DemoFailure("no echo from {echo, \(member)}") }
                    try context.check(t[1] == .integer(index), "{echo, \(member)} answered \(t[1]) for \(index)")
                    if index == 0 { echoes.append(echo) }
                }
            }
            for echo in echoes {
                await process.send(.tuple([.pid(process.pid), "by_pid"]), to: echo)
                let reply = try await process.receive(timeout: .seconds(5))
                try context.check(
                    reply == .tuple([.pid(echo), "by_pid"]), "\(echo) answered \(String(describing: reply))")
            }
            let total = 10 * context.messagingNodes.count
            return "\(total) messages by name came back in order; \(echoes.count) echoes answered by pid"
        }
    }

    /// `rpc:call`, `rpc:async_call` + `yield`, and `multicall` over the members (and the Elixir
    /// node, which also answers an `rpc:call`).
    static let rpc = DemoScenario(name: "rpc", title: "rpc call, async call + yield, multicall") { context in
        let failing = context.failing == "rpc"
        return try await context.inProcess { process in
            let members = context.members
            let square = try await process.rpc(members[0], "demo", "square", [7])
            try context.check(square == 49 && !failing, "rpc demo:square(7) on \(members[0]) gave \(square)")
            let request = await process.sendRPC(members[1], "demo", "square", [8])
            let yielded = try await request.result(in: process, timeout: .seconds(5))
            try context.check(yielded == 64, "async_call + yield gave \(yielded)")
            var elixir = ""
            if let node = context.elixir {
                // The Elixir node runs the same module, written in Elixir.
                let answer = try await process.rpc(node, "demo", "square", [11], timeout: .seconds(5))
                try context.check(answer == 121, "rpc demo:square(11) on \(node) gave \(answer)")
                elixir = "; square(11) = \(answer) on \(node)"
            }
            let everyone = context.messagingNodes
            let results = try await process.multicall(everyone, "demo", "square", [3], timeout: .seconds(5))
            let values = results.compactMap { try? $0.get() }
            try context.check(values == Array(repeating: 9, count: everyone.count), "multicall gave \(results)")
            return
                "square(7) = \(square) on \(members[0]); yield 64 from \(members[1])\(elixir); multicall \(values)"
        }
    }

    /// The guide's `kv` GenServer, called from this node on a member.
    static let genServer = DemoScenario(name: "genserver", title: "a GenServer called from another node") { context in
        let member = context.members[1]
        let kv = ServerRef.remote("kv", node: member)
        let put = try await context.node.call(kv, .tuple(["put", "demo", 42]), timeout: .seconds(5))
        try context.check(put == "ok", "put gave \(put)")
        let value = try await context.node.call(kv, .tuple(["get", "demo"]), timeout: .seconds(5))
        try context.check(value == 42, "get gave \(value)")
        return "{kv, \(member)}: put demo = 42, get demo → \(value)"
    }

    /// A supervisor on a member restarts its worker after the worker crashes.
    static let supervisor = DemoScenario(name: "supervisor", title: "a supervisor restarts a failing worker") {
        context in
        let member = context.members[2]
        return try await context.inProcess { process in
            let before = try await process.rpc(member, "demo", "whereis", ["crasher"])
            guard case .pid(let old) = before else { throw DemoFailure("no crasher on \(member): \(before)") }
            await process.node.cast(.remote("crasher", node: member), "crash")
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline {
                let now = try await process.rpc(member, "demo", "whereis", ["crasher"])
                if case .pid(let new) = now, new != old {
                    let pong = try await process.node.call(.pid(new), "ping", timeout: .seconds(5))
                    try context.check(pong == "pong", "the new crasher answered \(pong)")
                    return "crasher \(old) crashed; demo_sup restarted it as \(new), which answers pong"
                }
                _ = try await process.receive(timeout: .milliseconds(50)) { _ -> Bool? in nil }
            }
            throw DemoFailure("crasher on \(member) was not restarted within 5 s")
        }
    }

    /// The distributed task runner finishes every task although a member is killed with SIGKILL
    /// mid-way; the member is started again and rejoins.
    static let taskRunner = DemoScenario(name: "tasks", title: "task runner survives kill -9; the node rejoins") {
        context in
        let victim = context.members[0]
        let runner = try await DistributedTaskRunner.start(on: context.node, name: nil)
        let count = 6
        let results = try await context.inProcess(timeout: .seconds(60)) { process in
            for n in 1...count {
                await runner.runAsync("demo", "slow_square", [.integer(n), 800], replyTo: process.pid)
            }
            _ = try await process.receive(timeout: .milliseconds(200)) { _ -> Bool? in nil }
            context.cluster.kill9(victim)
            var results: [Int: Term] = [:]
            while results.count < count {
                guard let message = try await process.receive(timeout: .seconds(30)),
                    case .tuple(let t) = message, t.count == 3, t[0] == "task_result",
                    case .tuple(let call) = t[1], call.count == 3, case .list(let arguments) = call[2],
                    case .integer(let n)? = arguments.first
                else { throw DemoFailure("task results stopped after \(results.count) of \(count)") }
                results[n] = t[2]
            }
            return results
        }
        for n in 1...count {
            try context.check(
                results[n] == .tuple(["ok", .integer(n * n)]), "task \(n) gave \(String(describing: results[n]))")
        }
        let down = await context.events.wait(timeout: .seconds(10)) { event in
            if case .nodeDown(victim, _, _) = event { return true }
            return false
        }
        try context.check(down, "no nodedown for \(victim) after kill -9")
        // The node comes back under the same name and rejoins.
        let isVictimUp: @Sendable (NodeEvent) -> Bool = { if case .nodeUp(victim, _) = $0 { true } else { false } }
        let ups = context.events.count(where: isVictimUp)
        try await context.cluster.startMember(victim)
        let again = await context.node.connect(to: victim)
        try context.check(again == .connected, "reconnect to \(victim): \(again)")
        let rejoined = await context.events.wait(timeout: .seconds(5), count: ups + 1, for: isVictimUp)
        try context.check(rejoined, "no new nodeup for \(victim)")
        let square = try await context.inProcess { try await $0.rpc(victim, "demo", "square", [12]) }
        try context.check(square == 144, "the restarted \(victim) answered \(square)")
        return "\(count) tasks finished with \(victim) killed mid-way; \(victim) restarted and rejoined"
    }
}

extension DemoScenario {
    /// A member frozen with SIGSTOP is found unreachable by the others' membership view, and
    /// their split-brain resolver (keep-majority) downs it; let go (SIGCONT), it rejoins, and the
    /// members record the partition healed, with its duration.
    static let partition = DemoScenario(name: "partition", title: "a frozen member is downed, then rejoins") {
        context in
        let victim = context.members[1]
        let observer = context.members[context.members.count - 1]
        func status() async throws -> MemberStatus? {
            let term = try await context.inProcess { try await $0.rpc(observer, "colony_membership", "view", []) }
            let view = try TermDecoder().decode(MembershipView.self, from: term)
            return view.members.first { $0.name == victim.name }?.status
        }
        func wait(for wanted: MemberStatus, seconds: Int) async throws -> Bool {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while ContinuousClock.now < deadline {
                // A connection that is being re-made (after the tasks scenario's restart, under
                // load) answers noconnection for a moment: ask again.
                if (try? await status()) == wanted { return true }
                try await Task.sleep(for: .milliseconds(100))
            }
            return false
        }
        try context.check(try await wait(for: .up, seconds: 15), "\(observer) never saw \(victim) up")
        let paused = ContinuousClock.now
        context.cluster.pause(victim)
        defer { context.cluster.resume(victim) }
        let downed = try await wait(for: .down, seconds: 30)
        let downedAfter = ContinuousClock.now - paused
        context.cluster.resume(victim)
        try context.check(downed, "\(observer) did not down the frozen \(victim) within 30 s")
        try context.check(try await wait(for: .up, seconds: 30), "\(victim) did not rejoin within 30 s")
        let snapshot = try await context.inProcess { try await $0.rpc(observer, "colony_observer", "snapshot", [0]) }
        let events = try TermDecoder().decode(NodeSnapshot.self, from: snapshot).events
        let healed = events.last { $0.kind == .partitionHealed }
        try context.check(healed != nil, "\(observer) recorded no partition_healed event: \(events.map(\.kind))")
        let seconds = Double(downedAfter.components.seconds) + Double(downedAfter.components.attoseconds) / 1e18
        return "\(victim) frozen (SIGSTOP): \(observer)'s resolver downed it after "
            + "\(String(format: "%.1f", seconds)) s; let go, it rejoined (partition healed \(healed?.detail ?? ""))"
    }
}

extension DemoScenario {
    /// The seed's WorkerPool on `pg` (OTP's scope protocol): every member's `echo` is in the group
    /// `workers`; this node's scope sees them all, each answers; a worker that joins here and
    /// exits leaves the group on the members too.
    static let processGroups = DemoScenario(name: "pg", title: "a worker pool in a pg group") { context in
        // This node's own scope (it stays, so the dashboard shows its groups too).
        let groups = try await ProcessGroups.start(on: context.node)
        let deadline = ContinuousClock.now + .seconds(10)
        func covered() -> Bool {
            let nodes = Set(groups.members("workers").map(\.node))
            return context.members.allSatisfy(nodes.contains)
        }
        while ContinuousClock.now < deadline, !covered() { try await Task.sleep(for: .milliseconds(50)) }
        let workers = groups.members("workers")
        try context.check(covered(), "workers seen here: \(workers)")
        try await context.inProcess { process in
            for worker in workers {
                await process.send(.tuple([.pid(process.pid), "work"]), to: worker)
                let reply = try await process.receive(timeout: .seconds(5))
                try context.check(
                    reply == .tuple([.pid(worker), "work"]), "\(worker) answered \(String(describing: reply))")
            }
        }
        // A worker here joins, is seen on a member, exits, and is gone there too.
        let observer = context.members[0]
        let temporary = context.node.spawn { process in _ = try await process.receive() }
        try await groups.join("workers", [temporary])
        func seen(on member: Atom) async throws -> Bool {
            let members = try await context.inProcess {
                try await $0.rpc(member, ProcessGroups.module, "get_members", ["pg", "workers"])
            }
            return members.listElements?.contains(.pid(temporary)) == true
        }
        var joined = false
        for _ in 0..<100 where !joined {
            joined = try await seen(on: observer)
            if !joined { try await Task.sleep(for: .milliseconds(50)) }
        }
        try context.check(joined, "\(observer) never saw \(temporary) join")
        await context.node.send("stop", to: temporary)
        var gone = false
        for _ in 0..<100 where !gone {
            gone = try await !seen(on: observer)
            if !gone { try await Task.sleep(for: .milliseconds(50)) }
        }
        try context.check(gone, "\(observer) still lists \(temporary) after it exited")
        return "\(workers.count) workers in pg group workers answered; one that joined here and exited "
            + "left the group on \(observer) too"
    }
}

extension Term {
    fileprivate var listElements: [Term]? {
        if case .list(let elements) = self { return elements }
        return nil
    }
}

extension DemoScenario {
    /// The seed's GlobalStateManager on `global` (OTP's protocol): a member's `kv` is registered
    /// cluster-wide as `state_manager`; this node and the other members find the same process and
    /// call it by name; then every member races to register one name at the same moment, and
    /// exactly one wins.
    static let globalNames = DemoScenario(name: "global", title: "a global name and a registration race") {
        context in
        // This node's name server, started with the node (before it connected to the members).
        guard let global = context.node.globalNames else { throw DemoFailure("no global name server here") }
        // global:sync() everywhere first: every node's names are merged with every other's.
        await global.sync()
        for member in context.members {
            let synced = try await context.inProcess {
                try await $0.rpc(member, "global", "sync", [], timeout: .seconds(20))
            }
            try context.check(synced == "ok", "global:sync() on \(member): \(synced)")
        }
        // On the last member: the tasks scenario kills the first, and the name stays for the
        // dashboard.
        let owner = context.members[context.members.count - 1]
        let registered = try await context.inProcess {
            try await $0.rpc(owner, "demo", "register_kv_global", ["state_manager"])
        }
        try context.check(registered == "yes", "\(owner) could not register state_manager: \(registered)")
        var found: PID?
        for _ in 0..<200 where found == nil {
            found = global.whereis("state_manager")
            if found == nil { try await Task.sleep(for: .milliseconds(25)) }
        }
        guard let manager = found else { throw DemoFailure("state_manager never appeared here") }
        try context.check(manager.node == owner, "state_manager is \(manager), not on \(owner)")
        _ = try await context.node.call(.global("state_manager"), .tuple(["put", "visits", 1]))
        let value = try await context.node.call(.global("state_manager"), .tuple(["get", "visits"]))
        try context.check(value == 1, "{global, state_manager} answered \(value)")
        for member in context.members where member != owner {
            let seen = try await context.inProcess {
                try await $0.rpc(member, "global", "whereis_name", ["state_manager"])
            }
            try context.check(seen == .pid(manager), "\(member) sees state_manager as \(seen)")
        }
        // Every member registers `demo_race` at once: global's lock lets exactly one win.
        let answers = try await withThrowingTaskGroup(of: Term.self) { group in
            for member in context.members {
                group.addTask {
                    try await context.inProcess {
                        try await $0.rpc(member, "colony_global", "register_new", ["demo_race"])
                    }
                }
            }
            return try await group.reduce(into: [Term]()) { $0.append($1) }
        }
        let winners = answers.filter { $0.tupleElements?.first == "yes" }
        try context.check(winners.count == 1, "\(winners.count) members won the race: \(answers)")
        return "state_manager on \(owner) found and called here and on every member; "
            + "\(context.members.count) members raced for demo_race, one won"
    }
}

extension DemoScenario {
    /// The seed's DistributedCounter on the replicator: a PN-counter `demo_visits` is incremented
    /// on every member; one member is frozen (SIGSTOP) while the others go on and an increment
    /// waits for it; let go, every member converges on the same total.
    static let replicatedData = DemoScenario(name: "ddata", title: "a CRDT counter converges after a freeze") {
        context in
        let key: Term = .string("demo_visits")
        func add(_ member: Atom, _ amount: Int) async throws {
            let answer = try await context.inProcess {
                try await $0.rpc(member, "colony_ddata", "counter_add", [key, .integer(amount)], timeout: .seconds(20))
            }
            guard case .integer = answer else { throw DemoFailure("counter_add on \(member): \(answer)") }
        }
        for member in context.members { for _ in 0..<5 { try await add(member, 1) } }
        let frozen = context.members[1]
        context.cluster.pause(frozen)
        var resumed = false
        defer { if !resumed { context.cluster.resume(frozen) } }
        // An increment for the frozen member: it waits in its socket until the member runs again.
        let pending = Task { try await add(frozen, 5) }
        for member in context.members where member != frozen { for _ in 0..<5 { try await add(member, 1) } }
        try await Task.sleep(for: .seconds(1))
        let resumedAt = ContinuousClock.now
        context.cluster.resume(frozen)
        resumed = true
        try await pending.value
        let expected = 5 * context.members.count + 5 * (context.members.count - 1) + 5
        var converged = false
        while !converged, ContinuousClock.now - resumedAt < .seconds(20) {
            converged = true
            for member in context.members {
                let value = try await context.inProcess {
                    try await $0.rpc(member, "colony_ddata", "counter_value", [key])
                }
                if value != .integer(expected) { converged = false }
            }
            if !converged { try await Task.sleep(for: .milliseconds(100)) }
        }
        try context.check(converged, "the members did not agree on \(expected) within 20 s")
        let elapsed = ContinuousClock.now - resumedAt
        let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        return "demo_visits incremented on \(context.members.count) members, \(frozen) frozen for 1 s meanwhile; "
            + "all agree on \(expected) \(milliseconds) ms after it ran again"
    }
}
