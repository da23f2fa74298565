import Colony
import ErlangTerm
import Testing

/// A monitor set up while its target is ending must still deliver its `DOWN` (with the target's
/// reason, or `noproc`): the target may snapshot its watchers between the two halves of the
/// monitor's bookkeeping.
@Suite("Monitor races", .timeLimit(.minutes(1)))
struct MonitorRaceTests {
    @Test("a DOWN for every monitor raced against a kill")
    func monitorAgainstKill() async throws {
        let node = Node()
        let rounds = 400
        let outcome = try await node.runProcess(timeout: .seconds(50)) { process -> Int in
            var downs = 0
            for _ in 0..<rounds {
                let target = process.node.spawn { target in
                    while true { _ = try await target.receive() }
                }
                process.node.spawn { killer in await killer.exit(target, reason: "kill") }
                let reference = await process.monitor(target)
                let down = try await process.receive(timeout: .seconds(5)) { message -> Term? in
                    guard case .tuple(let t) = message, t.count == 5, t[1] == .reference(reference) else { return nil }
                    return t[4]
                }
                if down == "killed" || down == "noproc" { downs += 1 }
            }
            return downs
        }
        #expect(outcome == rounds)
    }
}
