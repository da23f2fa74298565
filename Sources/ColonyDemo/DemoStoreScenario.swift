import Colony
import ErlangTerm

extension DemoScenario {
    /// The seed's DistributedCache on Colony's Raft store (`colony_store`, as any Erlang or Elixir
    /// node calls it): entries with and without a TTL, the leader's member killed with `kill -9`,
    /// the other two elect a leader and keep every acknowledged write, the TTL entry expires, and
    /// the killed member comes back on its log and catches up.
    static let replicatedStore = DemoScenario(
        name: "store", title: "a replicated cache with TTL survives the kill of its leader"
    ) { context in
        let table: Term = .string("cache")
        func call(_ member: Atom, _ function: Atom, _ arguments: [Term]) async throws -> Term {
            try await context.inProcess {
                try await $0.rpc(member, "colony_store", function, [table] + arguments, timeout: .seconds(10))
            }
        }
        /// Retries `function` on `members` (in turn) until it answers something other than an error.
        func retrying(_ members: [Atom], _ function: Atom, _ arguments: [Term], seconds: Int = 15) async throws -> Term
        {
            let deadline = ContinuousClock.now + .seconds(seconds)
            var answer: Term = "none"
            var attempt = 0
            while ContinuousClock.now < deadline {
                answer = (try? await call(members[attempt % members.count], function, arguments)) ?? "unreachable"
                if case .tuple(let parts) = answer, parts.first == "error" {
                } else if answer != "unreachable" {
                    return answer
                }
                attempt += 1
                try await Task.sleep(for: .milliseconds(100))
            }
            throw DemoFailure("colony_store:\(function.name) kept failing: \(answer)")
        }
        let members = context.members
        _ = try await retrying(members, "create_table", [])
        try context.check(
            try await retrying(members, "put", [.string("session:42"), .string("alice")]) == "ok", "put session:42")
        try context.check(
            try await retrying(members, "put", [.string("token:7"), .string("short-lived"), 2000]) == "ok",
            "put token:7 with a TTL")

        // The first member takes the lead (colony_store:transfer_leader), so the kill spares the
        // member that holds the demo's global name.
        let leader = members[0]
        var leads = false
        let deadline = ContinuousClock.now + .seconds(15)
        while !leads, ContinuousClock.now < deadline {
            _ = try? await context.inProcess {
                try await $0.rpc(members[1], "colony_store", "transfer_leader", [.atom(leader)], timeout: .seconds(5))
            }
            try await Task.sleep(for: .milliseconds(200))
            let status = try? await context.inProcess { try await $0.rpc(leader, "colony_store", "status", []) }
            if case .map(let map)? = status, map[atom: "role"] == "leader" { leads = true }
        }
        try context.check(leads, "\(leader) did not take the store's lead")
        let survivors = members.filter { $0 != leader }
        let killed = ContinuousClock.now
        context.cluster.kill9(leader)
        let after = try await retrying(survivors, "get", [.string("session:42")])
        let failover = ContinuousClock.now - killed
        try context.check(after == .tuple(["ok", .string("alice")]), "session:42 after the kill: \(after)")
        try context.check(
            try await retrying(survivors, "put", [.string("after:failover"), .string("written")]) == "ok",
            "a write after the failover")

        // The TTL entry expires on the survivors.
        try await Task.sleep(for: .milliseconds(2100) - (ContinuousClock.now - killed))
        let token = try await retrying(survivors, "get", [.string("token:7")])
        try context.check(token == "not_found", "token:7 after its TTL: \(token)")

        // The killed member comes back on its log, and catches up with the write it missed.
        try await context.cluster.startMember(leader)
        _ = await context.node.connect(to: leader)
        var caughtUp = false
        let catchUpDeadline = ContinuousClock.now + .seconds(20)
        while !caughtUp, ContinuousClock.now < catchUpDeadline {
            let local = try? await call(leader, "dirty_get", [.string("after:failover")])
            caughtUp = local == .tuple(["ok", .string("written")])
            if !caughtUp { try await Task.sleep(for: .milliseconds(100)) }
        }
        try context.check(caughtUp, "\(leader) did not catch up after its restart")
        let milliseconds = failover.components.seconds * 1000 + failover.components.attoseconds / 1_000_000_000_000_000
        return "leader \(leader) killed (kill -9): the others answered again after \(milliseconds) ms with every "
            + "acknowledged write; token:7 expired after its TTL; \(leader) restarted on its log and caught up"
    }
}
