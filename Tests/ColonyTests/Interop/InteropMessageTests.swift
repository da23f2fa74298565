import Colony
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// Messages both ways, with terms of every kind: Erlang sends to a Colony echo (by pid and by
/// `{Name, Node}`) and compares what comes back with `=:=`, the echo compares what arrives with `==`;
/// Colony sends to an Erlang echo (by pid, by `{Name, Node}` from a process, and by `{Name, Node}`
/// from the node with no sending process), the Erlang echo compares with `=:=` against the term it
/// builds itself, and Colony compares the echo's copy with `==`.
@Suite("Interop: messages with terms of every kind")
struct InteropMessageTests {
    /// What the Colony echo saw, per `mode/name`.
    final class Verdicts: @unchecked Sendable {
        private let lock = NSLock()
        private var verdicts: [String: String] = [:]

        func record(_ key: String, _ verdict: String) {
            lock.withLock { verdicts[key] = verdict }
        }

        var all: [String: String] { lock.withLock { verdicts } }
    }

    @Test("terms of every kind travel both ways unchanged", .timeLimit(.minutes(1)))
    func termsBothWays() async throws {
        try await InteropScope.run("messages") { scope in
            let cookie = "interop_messages"
            let epmdPort = try await scope.startEPMD(.colony)
            let node = try await scope.startNode(name: "colony_msg@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
            let erlName: Atom = "erl_msg@127.0.0.1"
            let events = InteropNodeEvents(node)
            let erl = try await scope.startAgent(
                name: erlName.name, cookie: cookie, epmdPort: epmdPort, colony: node.name.name)
            let deterministic = Dictionary(uniqueKeysWithValues: InteropCorpus.deterministic.map { ($0.name, $0.term) })

            // Erlang -> Colony -> Erlang.
            let verdicts = Verdicts()
            let echo = node.spawn { process in
                while true {
                    guard let message = try await process.receive(timeout: .seconds(60)) else { return }
                    guard case .tuple(let t) = message, t.count == 2, case .pid(let from) = t[0] else { continue }
                    if case .tuple(let payload) = t[1], payload.count == 3, let mode = payload[0].atomValue,
                        let name = payload[1].atomValue
                    {
                        let term = payload[2]
                        let verdict: String
                        if let expected = deterministic[name.name] {
                            verdict = term == expected ? "ok" : "mismatch: got \(term)".prefix(400).description
                        } else if let fine = InteropCorpus.checkErlangSpecific(name.name, term, erlang: erlName) {
                            verdict = fine ? "ok" : "unexpected \(term): \(String(reflecting: term))"
                        } else {
                            verdict = "unknown case"
                        }
                        verdicts.record("\(mode.name)/\(name.name)", verdict)
                    }
                    await process.send(.tuple([.pid(process.pid), t[1]]), to: from)
                }
            }
            #expect(node.register("colony_echo", pid: echo))
            let roundtrip = try await node.runProcess(timeout: .seconds(40)) { process in
                try await process.callDriver(
                    erlName, .tuple(["roundtrip", .pid(echo), "colony_echo", .atom(process.node.name)]),
                    timeout: .seconds(35))
            }
            let cases = try #require(roundtrip.listElements, "roundtrip gave \(roundtrip)")
            let caseCount = InteropCorpus.deterministic.count + InteropCorpus.erlangSpecificNames.count
            #expect(cases.count == 2 * caseCount, "roundtrip gave \(roundtrip)")
            for result in cases {
                guard case .tuple(let t) = result, t.count == 3 else {
                    Issue.record("odd roundtrip entry \(result)")
                    continue
                }
                #expect(t[2] == "ok", "Erlang -> Colony -> Erlang, by \(t[0]), case \(t[1]): \(t[2])")
            }
            let seen = verdicts.all
            for mode in ["pid", "name"] {
                for name in InteropCorpus.deterministic.map(\.name) + InteropCorpus.erlangSpecificNames {
                    #expect(
                        seen["\(mode)/\(name)"] == "ok",
                        "Colony received \(name) by \(mode): \(seen["\(mode)/\(name)"] ?? "nothing")")
                }
            }

            // Colony -> Erlang -> Colony.
            let failures = try await node.runProcess(timeout: .seconds(40)) { process -> [String] in
                let erlangEcho = try await process.driverPID(erlName, "echo_pid")
                let corpus =
                    InteropCorpus.deterministic + InteropCorpus.colonySpecific(pid: process.pid, node: process.node)
                var failures: [String] = []
                for mode in ["pid", "name", "node_name"] {
                    for (name, term) in corpus {
                        let payload: Term = .tuple([.atom(Atom(mode)), .atom(Atom(name)), term])
                        let message: Term = .tuple([.pid(process.pid), payload])
                        switch mode {
                        case "pid": await process.send(message, to: erlangEcho)
                        case "name": await process.send(message, to: "erl_echo", on: erlName)
                        default: await process.node.send(message, to: "erl_echo", on: erlName)
                        }
                        let reply = try await process.receive(timeout: .seconds(5)) { message -> [Term]? in
                            guard case .tuple(let t) = message, t.count == 2, case .tuple(let r) = t[1], r.count == 4,
                                r[0] == .atom(Atom(mode)), r[1] == .atom(Atom(name))
                            else { return nil }
                            return [t[0], r[2], r[3]]
                        }
                        guard let reply else {
                            failures.append("\(mode)/\(name): no echo from Erlang")
                            continue
                        }
                        if reply[0] != .pid(erlangEcho) { failures.append("\(mode)/\(name): echo from \(reply[0])") }
                        if reply[2] != "ok" {
                            failures.append(
                                "\(mode)/\(name): Erlang's =:= check says \(reply[2])".prefix(600).description)
                        }
                        if reply[1] != term {
                            failures.append("\(mode)/\(name): came back as \(reply[1])".prefix(600).description)
                        }
                    }
                }
                return failures
            }
            #expect(failures.isEmpty, "Colony -> Erlang -> Colony:\n\(failures.joined(separator: "\n"))")
            let receivedOK = InteropScope.lines(erl, prefix: "RESULT recv").filter { $0.hasSuffix(" ok") }.count
            #expect(
                receivedOK == 3 * (InteropCorpus.deterministic.count + InteropCorpus.colonySpecificCount),
                "Erlang's checks: \(InteropScope.lines(erl, prefix: "RESULT recv").filter { !$0.hasSuffix(" ok") })")

            // A message to a name nobody has is dropped, both ways, and the connection stays up.
            let afterUnknown = try await node.runProcess { process -> [Term] in
                await process.send("hello", to: "no_such_name_here", on: erlName)
                let sent = try await process.callDriver(
                    erlName, .tuple(["send_to_unknown_name", .atom(process.node.name)]))
                await process.send(.tuple([.pid(process.pid), "still_there"]), to: "erl_echo", on: erlName)
                let echoed = try await process.firstMessage(within: .seconds(5)) {
                    $0.tupleElements?.count == 2 && $0.tupleElements?[1] == "still_there"
                }
                return [sent, echoed ?? "no echo"]
            }
            #expect(afterUnknown[0] == "ok")
            #expect(afterUnknown[1] != "no echo", "no echo after sends to unknown names")
            #expect(await node.ping(erlName))
            #expect(
                events.all.allSatisfy { if case .nodeDown = $0 { return false } else { return true } },
                "the connection went down: \(events.all)")
        }
    }
}
