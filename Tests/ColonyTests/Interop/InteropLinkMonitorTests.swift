import Colony
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// Links and monitors across Colony and Erlang, in both directions: normal and abnormal exit
/// reasons, monitors by `{Name, Node}`, `noproc` for targets that do not exist, and `noconnection`
/// when the other side's OS process is killed with `SIGKILL`.
@Suite("Interop: links and monitors")
struct InteropLinkMonitorTests {
    static let abnormal: Term = .tuple(["boom", 42, .string("why")])

    static func isExit(_ message: Term) -> Bool {
        if case .tuple(let t) = message, t.count == 3, t[0] == "EXIT" { return true }
        return false
    }

    static func isDown(_ message: Term) -> Bool {
        if case .tuple(let t) = message, t.count == 5, t[0] == "DOWN" { return true }
        return false
    }

    static func down(_ reference: Reference, _ object: Term, _ reason: Term) -> Term {
        .tuple(["DOWN", .reference(reference), "process", object, reason])
    }

    @Test("a Colony process links to and monitors Erlang processes", .timeLimit(.minutes(1)))
    func colonyWatchesErlang() async throws {
        try await InteropScope.run("colony-watches") { scope in
            let cookie = "interop_links_c"
            let epmdPort = try await scope.startEPMD(.otp)
            let node = try await scope.startNode(name: "colony_lnk@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
            let erl: Atom = "erl_lnk@127.0.0.1"
            let erlang = try await scope.startAgent(
                name: erl.name, cookie: cookie, epmdPort: epmdPort, colony: node.name.name)
            let abnormal = Self.abnormal

            // Links, with trap_exit: {'EXIT', Pid, Reason} for a normal and an abnormal exit.
            for reason in ["normal", abnormal] as [Term] {
                let (target, message) = try await node.runProcess { process -> (PID, Term?) in
                    process.trapExit = true
                    let target = try await process.driverPID(erl, .tuple(["spawn_target", "none"]))
                    await process.link(target)
                    await process.send(.tuple(["exit_with", reason]), to: target)
                    return (target, try await process.firstMessage(within: .seconds(10), where: Self.isExit))
                }
                #expect(message == .tuple(["EXIT", .pid(target), reason]), "link, exit \(reason)")
            }

            // A link without trap_exit: an abnormal exit of the Erlang process ends the Colony one
            // with the same reason; a normal one does not.
            for reason in ["normal", abnormal] as [Term] {
                let (linker, reference, message) = try await node.runProcess { process -> (PID, Reference, Term?) in
                    let target = try await process.driverPID(erl, .tuple(["spawn_target", "none"]))
                    let linker = process.node.spawn { linker in
                        await linker.link(target)
                        await linker.send(.tuple(["exit_with", reason]), to: target)
                        _ = try await linker.receive(timeout: .seconds(2)) { $0 == "never" ? true : nil }
                        throw ProcessExit("survived")
                    }
                    let reference = await process.monitor(linker)
                    return (linker, reference, try await process.firstMessage(within: .seconds(10), where: Self.isDown))
                }
                let outcome: Term = reason == "normal" ? "survived" : reason
                #expect(message == Self.down(reference, .pid(linker), outcome), "link without trap_exit, \(reason)")
            }

            // Monitors by pid: {'DOWN', Ref, process, Pid, Reason}.
            for reason in ["normal", abnormal] as [Term] {
                let (target, reference, message) = try await node.runProcess { process -> (PID, Reference, Term?) in
                    let target = try await process.driverPID(erl, .tuple(["spawn_target", "none"]))
                    let reference = await process.monitor(target)
                    await process.send(.tuple(["exit_with", reason]), to: target)
                    return (target, reference, try await process.firstMessage(within: .seconds(10), where: Self.isDown))
                }
                #expect(message == Self.down(reference, .pid(target), reason), "monitor, exit \(reason)")
            }

            // Monitor by name: the DOWN names {Name, Node}.
            let (named, byName) = try await node.runProcess { process -> (Reference, Term?) in
                let target = try await process.driverPID(erl, .tuple(["spawn_target", "erl_named"]))
                let reference = await process.monitor(name: "erl_named", on: erl)
                await process.send(.tuple(["exit_with", "by_name"]), to: target)
                return (reference, try await process.firstMessage(within: .seconds(10), where: Self.isDown))
            }
            #expect(byName == Self.down(named, .tuple(["erl_named", .atom(erl)]), "by_name"))

            // noproc: a dead pid, a name nobody has, and a link to a dead pid.
            let (dead, pidRef, nameRef, messages) = try await node.runProcess {
                process -> (PID, Reference, Reference, [Term?]) in
                process.trapExit = true
                let dead = try await process.driverPID(erl, "dead_pid")
                let pidRef = await process.monitor(dead)
                let byPid = try await process.firstMessage(within: .seconds(10)) {
                    Self.isDown($0) && $0.tupleElements?[1] == .reference(pidRef)
                }
                let nameRef = await process.monitor(name: "nobody_here", on: erl)
                let byName = try await process.firstMessage(within: .seconds(10)) {
                    Self.isDown($0) && $0.tupleElements?[1] == .reference(nameRef)
                }
                await process.link(dead)
                let linked = try await process.firstMessage(within: .seconds(10), where: Self.isExit)
                return (dead, pidRef, nameRef, [byPid, byName, linked])
            }
            #expect(messages[0] == Self.down(pidRef, .pid(dead), "noproc"), "monitor of a dead Erlang pid")
            #expect(messages[1] == Self.down(nameRef, .tuple(["nobody_here", .atom(erl)]), "noproc"))
            #expect(messages[2] == .tuple(["EXIT", .pid(dead), "noproc"]), "link to a dead Erlang pid")
            #expect(InteropScope.lines(erlang, prefix: "CRASH").isEmpty, "\(InteropScope.describe(erlang))")
        }
    }

    @Test("Erlang processes link to and monitor Colony processes", .timeLimit(.minutes(1)))
    func erlangWatchesColony() async throws {
        try await InteropScope.run("erlang-watches") { scope in
            let cookie = "interop_links_e"
            let epmdPort = try await scope.startEPMD(.otp)
            let node = try await scope.startNode(name: "colony_lnk2@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
            let erl: Atom = "erl_lnk2@127.0.0.1"
            let erlang = try await scope.startAgent(
                name: erl.name, cookie: cookie, epmdPort: epmdPort, colony: node.name.name)
            let abnormal = Self.abnormal

            /// Has the Erlang agent watch `target` (`link` or `monitor`), ends the Colony target with
            /// `reason` (when given), and returns the Erlang watcher's message and monitor reference.
            func watch(_ id: String, _ mode: Term, _ target: Term, endingWith reason: Term?, pid: PID?) async throws
                -> (message: Term?, reference: Term)
            {
                try await node.runProcess { process -> (Term?, Term) in
                    let reply = try await process.callDriver(
                        erl, .tuple(["watch", .atom(Atom(id)), .pid(process.pid), mode, target]))
                    guard case .tuple(let t) = reply, t.count == 3, t[0] == "watching" else {
                        throw InteropFailure("watch \(id) gave \(reply)")
                    }
                    if let reason, let pid { await process.send(.tuple(["exit_with", reason]), to: pid) }
                    let report = try await process.receive(timeout: .seconds(10)) { message -> Term? in
                        guard case .tuple(let r) = message, r.count == 3, r[0] == "watched", r[1] == .atom(Atom(id))
                        else { return nil }
                        return r[2]
                    }
                    return (report, t[2])
                }
            }

            for (index, reason) in (["normal", abnormal] as [Term]).enumerated() {
                let linked = node.spawnExitTarget()
                let link = try await watch("link_\(index)", "link", .pid(linked), endingWith: reason, pid: linked)
                #expect(link.message == .tuple(["EXIT", .pid(linked), reason]), "Erlang links, Colony exits \(reason)")

                let monitored = node.spawnExitTarget()
                let monitor = try await watch(
                    "monitor_\(index)", "monitor", .pid(monitored), endingWith: reason, pid: monitored)
                #expect(
                    monitor.message == .tuple(["DOWN", monitor.reference, "process", .pid(monitored), reason]),
                    "Erlang monitors, Colony exits \(reason)")
            }

            // A link without trap_exit on the Erlang side: the Erlang process dies with the Colony
            // process's abnormal reason.
            let propagated = node.spawnExitTarget()
            let chain = try await watch(
                "link_notrap", "link_notrap", .pid(propagated), endingWith: abnormal, pid: propagated)
            guard case .tuple(let chainDown) = chain.message, chainDown.count == 5 else {
                Issue.record("link_notrap gave \(String(describing: chain.message))")
                return
            }
            #expect(
                chainDown[0] == "DOWN" && chainDown[1] == chain.reference && chainDown[4] == abnormal, "\(chainDown)")

            // By name: monitor(process, {colony_named, ColonyNode}).
            let named = node.spawnExitTarget()
            #expect(node.register("colony_named", pid: named))
            let nameTarget: Term = .tuple(["colony_named", .atom(node.name)])
            let byName = try await watch("by_name", "monitor", nameTarget, endingWith: "by_name", pid: named)
            #expect(byName.message == .tuple(["DOWN", byName.reference, "process", nameTarget, "by_name"]))

            // noproc: a Colony pid that has ended, and a name nobody has.
            let dead = node.spawn { _ in }
            for _ in 0..<500 where node.isAlive(dead) { try await Task.sleep(for: .milliseconds(10)) }
            #expect(!node.isAlive(dead))
            let deadMonitor = try await watch("dead_monitor", "monitor", .pid(dead), endingWith: nil, pid: nil)
            #expect(deadMonitor.message == .tuple(["DOWN", deadMonitor.reference, "process", .pid(dead), "noproc"]))
            let deadLink = try await watch("dead_link", "link", .pid(dead), endingWith: nil, pid: nil)
            #expect(deadLink.message == .tuple(["EXIT", .pid(dead), "noproc"]))
            let nobody: Term = .tuple(["nobody_here", .atom(node.name)])
            let noName = try await watch("no_name", "monitor", nobody, endingWith: nil, pid: nil)
            #expect(noName.message == .tuple(["DOWN", noName.reference, "process", nobody, "noproc"]))
            #expect(InteropScope.lines(erlang, prefix: "CRASH").isEmpty, "\(InteropScope.describe(erlang))")
        }
    }

    @Test("unlink and demonitor from Colony remove the link and monitor on the Erlang side", .timeLimit(.minutes(1)))
    func unlinkAndDemonitor() async throws {
        try await InteropScope.run("unlink") { scope in
            let cookie = "interop_unlink"
            let epmdPort = try await scope.startEPMD(.colony)
            let node = try await scope.startNode(name: "colony_unl@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
            let erl: Atom = "erl_unl@127.0.0.1"
            _ = try await scope.startAgent(name: erl.name, cookie: cookie, epmdPort: epmdPort, colony: node.name.name)

            let (me, observed, late) = try await node.runProcess { process -> (PID, [Term], Term?) in
                process.trapExit = true
                let target = try await process.driverPID(erl, .tuple(["spawn_target", "none"]))
                var observed: [Term] = []
                await process.link(target)
                observed.append(try await process.callDriver(erl, .tuple(["process_info", .pid(target), "links"])))
                await process.unlink(target)
                observed.append(try await process.callDriver(erl, .tuple(["process_info", .pid(target), "links"])))
                let reference = await process.monitor(target)
                observed.append(
                    try await process.callDriver(erl, .tuple(["process_info", .pid(target), "monitored_by"])))
                await process.demonitor(reference)
                observed.append(
                    try await process.callDriver(erl, .tuple(["process_info", .pid(target), "monitored_by"])))
                await process.send(.tuple(["exit_with", "after_unlink"]), to: target)
                let late = try await process.firstMessage(within: .seconds(1)) { Self.isExit($0) || Self.isDown($0) }
                return (process.pid, observed, late)
            }
            #expect(observed[0] == .tuple(["links", .list([.pid(me)])]), "after link: \(observed[0])")
            #expect(observed[1] == .tuple(["links", .list([])]), "after unlink: \(observed[1])")
            #expect(observed[2] == .tuple(["monitored_by", .list([.pid(me)])]), "after monitor: \(observed[2])")
            #expect(observed[3] == .tuple(["monitored_by", .list([])]), "after demonitor: \(observed[3])")
            #expect(late == nil, "an exit or DOWN after unlink and demonitor: \(String(describing: late))")
        }
    }

    @Test("exit/2 signals cross both ways", .timeLimit(.minutes(1)))
    func exitSignals() async throws {
        try await InteropScope.run("exit2") { scope in
            let cookie = "interop_exit2"
            let epmdPort = try await scope.startEPMD(.otp)
            let node = try await scope.startNode(name: "colony_ex2@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
            let erl: Atom = "erl_ex2@127.0.0.1"
            _ = try await scope.startAgent(name: erl.name, cookie: cookie, epmdPort: epmdPort, colony: node.name.name)
            let abnormal = Self.abnormal

            // Colony -> Erlang: exit(Pid, Reason) ends a process that does not trap exits; `normal`
            // does not; `kill` ends it as `killed`.
            let colonySide = try await node.runProcess { process -> [String] in
                var failures: [String] = []
                for (reason, outcome) in [(abnormal, abnormal), ("kill", "killed"), ("normal", nil)] as [(Term, Term?)]
                {
                    let target = try await process.driverPID(erl, .tuple(["spawn_target", "none"]))
                    let reference = await process.monitor(target)
                    await process.exit(target, reason: reason)
                    let down = try await process.firstMessage(within: outcome == nil ? .seconds(1) : .seconds(10)) {
                        Self.isDown($0) && $0.tupleElements?[1] == .reference(reference)
                    }
                    let expected = outcome.map { Self.down(reference, .pid(target), $0) }
                    if down != expected { failures.append("exit(Pid, \(reason)): \(String(describing: down))") }
                    if outcome == nil { await process.send(.tuple(["exit_with", "done"]), to: target) }
                }
                return failures
            }
            #expect(colonySide.isEmpty, "\(colonySide)")

            // Erlang -> Colony: a trapping process gets {'EXIT', From, Reason}; one that does not
            // trap ends with Reason; kill ends even a trapping one, as killed.
            let trapping = InteropSlot<Term?>()
            let trapper = node.spawn { process in
                process.trapExit = true
                trapping.set(.success(try await process.firstMessage(within: .seconds(20), where: Self.isExit)))
            }
            let plain = node.spawnExitTarget()
            let killedOne = node.spawn { process in
                process.trapExit = true
                _ = try await process.receive(timeout: .seconds(20)) { $0 == "never" ? true : nil }
            }
            let erlangSide = try await node.runProcess { process -> [Term?] in
                let plainRef = await process.monitor(plain)
                let killedRef = await process.monitor(killedOne)
                let sender = try await process.driverPID(erl, .tuple(["exit", .pid(trapper), abnormal]))
                _ = try await process.callDriver(erl, .tuple(["exit", .pid(plain), "shot"]))
                _ = try await process.callDriver(erl, .tuple(["exit", .pid(killedOne), "kill"]))
                let plainDown = try await process.firstMessage(within: .seconds(10)) {
                    $0.tupleElements?[1] == .reference(plainRef)
                }
                let killedDown = try await process.firstMessage(within: .seconds(10)) {
                    $0.tupleElements?[1] == .reference(killedRef)
                }
                return [
                    .pid(sender), plainDown, killedDown, .reference(plainRef), .reference(killedRef),
                ]
            }
            let trapped = try await trapping.wait(timeout: .seconds(10))
            guard case .pid(let sender) = erlangSide[0], case .reference(let plainRef) = erlangSide[3],
                case .reference(let killedRef) = erlangSide[4]
            else {
                Issue.record("odd results \(erlangSide)")
                return
            }
            #expect(
                trapped == .some(.tuple(["EXIT", .pid(sender), abnormal])), "trapping: \(String(describing: trapped))")
            #expect(erlangSide[1] == Self.down(plainRef, .pid(plain), "shot"))
            #expect(erlangSide[2] == Self.down(killedRef, .pid(killedOne), "killed"))
        }
    }

    @Test("kill -9 of erl: Colony's links and monitors get noconnection", .timeLimit(.minutes(1)))
    func erlangKilled() async throws {
        try await InteropScope.run("kill-erl") { scope in
            let cookie = "interop_kill_erl"
            let epmdPort = try await scope.startEPMD(.colony)
            let node = try await scope.startNode(name: "colony_kill1@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
            let events = InteropNodeEvents(node)
            let erl: Atom = "erl_kill1@127.0.0.1"
            let erlang = try await scope.startAgent(
                name: erl.name, cookie: cookie, epmdPort: epmdPort, colony: node.name.name)

            let (linked, monitored, pidRef, nameRef, messages) = try await node.runProcess {
                process -> (PID, PID, Reference, Reference, [Term]) in
                process.trapExit = true
                let linked = try await process.driverPID(erl, .tuple(["spawn_target", "none"]))
                let monitored = try await process.driverPID(erl, .tuple(["spawn_target", "none"]))
                _ = try await process.driverPID(erl, .tuple(["spawn_target", "erl_named"]))
                await process.link(linked)
                let pidRef = await process.monitor(monitored)
                let nameRef = await process.monitor(name: "erl_named", on: erl)
                // A round trip, so that the link and monitors are in place on the Erlang side.
                _ = try await process.callDriver(erl, "nodes")
                erlang.kill()
                var messages: [Term] = []
                while messages.count < 3,
                    let message = try await process.firstMessage(
                        within: .seconds(10), where: { Self.isExit($0) || Self.isDown($0) })
                {
                    messages.append(message)
                }
                return (linked, monitored, pidRef, nameRef, messages)
            }
            #expect(messages.contains(.tuple(["EXIT", .pid(linked), "noconnection"])), "\(messages)")
            #expect(messages.contains(Self.down(pidRef, .pid(monitored), "noconnection")), "\(messages)")
            #expect(
                messages.contains(Self.down(nameRef, .tuple(["erl_named", .atom(erl)]), "noconnection")), "\(messages)")
            let down = await events.wait(for: InteropNodeEvents.isDown(erl), timeout: .seconds(10))
            #expect(down?.event == .nodeDown(erl, hidden: false, reason: "connection_closed"))
        }
    }

    @Test("kill -9 of a colony node process: Erlang's links and monitors get noconnection", .timeLimit(.minutes(1)))
    func colonyProcessKilled() async throws {
        try await InteropScope.run("kill-colony") { scope in
            let cookie = "interop_kill_colony"
            let epmdPort = try await scope.startEPMD(.otp)
            let colonyName = "colony_victim@127.0.0.1"
            let colony = try await scope.startColonyProcess(name: colonyName, cookie: cookie, epmdPort: epmdPort)
            let erl = try scope.startErlang(
                name: "erl_watch@127.0.0.1", cookie: cookie, epmdPort: epmdPort,
                arguments: ["watch_colony", colonyName])
            let watching = await InteropScope.waitForLine(erl, prefix: "RESULT watching", timeout: .seconds(30))
            try #require(watching != nil, "\(InteropScope.describe(erl))")
            #expect(InteropScope.lines(erl, prefix: "RESULT ping") == ["RESULT ping pong"])

            colony.kill()
            for id in ["link exit", "monitor_pid down", "monitor_name down"] {
                let line = await InteropScope.waitForLine(erl, prefix: "RESULT watched \(id)", timeout: .seconds(10))
                #expect(line == "RESULT watched \(id) true noconnection", "\(InteropScope.describe(erl))")
            }
            let nodedown = await InteropScope.waitForLine(erl, prefix: "EVENT nodedown", timeout: .seconds(10))
            #expect(nodedown == "EVENT nodedown '\(colonyName)' connection_closed")
        }
    }
}
