import Colony
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// Three `colony node` OS processes register the same name at the same moment, round after round:
/// global's lock lets exactly one win, and every node agrees on the owner.
@Suite("Groups: global registration races", .serialized)
struct GlobalRaceTests {
    @Test("3 Colony OS processes racing for one name: always exactly one winner", .timeLimit(.minutes(3)))
    func races() async throws {
        try await InteropScope.run("global-race") { scope in
            let cookie = "global_race"
            let epmdPort = try await scope.startEPMD(.colony)
            let names: [Atom] = ["race_a@127.0.0.1", "race_b@127.0.0.1", "race_c@127.0.0.1"]
            _ = try await scope.startColonyProcess(name: names[0].name, cookie: cookie, epmdPort: epmdPort)
            for (index, name) in names.enumerated().dropFirst() {
                _ = try await scope.startColonyProcess(
                    name: name.name, cookie: cookie, epmdPort: epmdPort,
                    extra: names.prefix(index).flatMap { ["--connect", $0.name] })
            }
            let driver = try await scope.startNode(name: "race_driver@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
            let rpc: @Sendable (Atom, Atom, Atom, [Term]) async throws -> Term = {
                target, module, function, arguments in
                try await driver.runProcess(timeout: .seconds(60)) {
                    try await $0.rpc(target, module, function, arguments, timeout: .seconds(50))
                }
            }
            for name in names { #expect(try await rpc(name, "global", "sync", []) == "ok") }
            for round in 0..<15 {
                let contested: Term = .atom(Atom("contested_\(round)"))
                let results = try await withThrowingTaskGroup(of: (Atom, Term).self) { group in
                    for name in names {
                        group.addTask { (name, try await rpc(name, "colony_global", "register_new", [contested])) }
                    }
                    return try await group.reduce(into: [(Atom, Term)]()) { $0.append($1) }
                }
                let winners = results.compactMap { result -> PID? in
                    guard case .tuple(let t) = result.1, t.count == 2, t[0] == "yes", case .pid(let pid) = t[1] else {
                        return nil
                    }
                    return pid
                }
                try #require(winners.count == 1, "round \(round): \(results)")
                for name in names {
                    let owner = try await rpc(name, "global", "whereis_name", [contested])
                    #expect(owner == .pid(winners[0]), "round \(round) on \(name)")
                }
            }
        }
    }
}
