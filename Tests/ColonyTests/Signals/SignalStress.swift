import Colony
import ColonyTestSupport
import ErlangTerm
import Synchronization
import Testing

/// The other node of a signal stress run: how to get targets and an echo there, and how to cut the
/// connection from its side or this one.
struct StressPeer: Sendable {
    var name: Atom
    /// A process on the peer that ends with `Reason` when sent `{exit_with, Reason}`.
    var spawnTarget: @Sendable (ProcessContext) async throws -> PID
    /// A process on the peer that answers `{From, Message}` with `Message`.
    var echo: PID
    /// Cuts the connection (`disconnect_node`), from one side or the other.
    var disconnect: @Sendable (ProcessContext) async throws -> Void
}

/// What one holder process saw; the run checks it against Erlang's guarantees.
struct HolderReport: Sendable {
    var monitorsMade = 0
    var downs: [Reference: Int] = [:]
    var demonitored: Set<Reference> = []
    var stillMonitoring: [Reference: PID] = [:]
    var linksMade: [PID: Int] = [:]
    var exits: [PID: Int] = [:]
    var stillLinked: Set<PID> = []
    var outOfOrder: [String] = []
    var echoes = 0
    var noconnections = 0

    /// The broken guarantees, in words.
    var violations: [String] {
        var found = outOfOrder
        for (reference, count) in downs where count > 1 { found.append("\(reference): \(count) DOWNs") }
        for reference in demonitored where downs[reference, default: 0] > 0 {
            found.append("\(reference): a DOWN after demonitor(flush)")
        }
        if !stillMonitoring.isEmpty { found.append("\(stillMonitoring.count) monitors never fired") }
        for (pid, count) in exits where count > linksMade[pid, default: 0] {
            found.append("\(pid): \(count) exits for \(linksMade[pid, default: 0]) links")
        }
        if !stillLinked.isEmpty { found.append("\(stillLinked.count) links never broke") }
        return found
    }
}

/// Holders on this node link to, monitor, unlink, demonitor and kill processes on the peer and
/// exchange numbered messages with its echo, while the connection is cut again and again; then
/// the peer goes away, and every monitor must have fired exactly one `DOWN` and every link exactly
/// one exit, with messages in order throughout.
enum SignalStress {
    static func run(
        on node: Node, peer: StressPeer, holders: Int = 4, rounds: Int = 250, cuts: Int = 8, seed: UInt64,
        endPeer: @Sendable () async -> Void
    ) async throws -> [HolderReport] {
        let coordinator = StressCoordinator()
        for index in 0..<holders {
            node.spawn { process in
                var report = HolderReport()
                do {
                    try await holder(
                        process, peer: peer, rounds: rounds, seed: seed &+ UInt64(index), report: &report,
                        coordinator: coordinator)
                } catch {
                    report.outOfOrder.append("holder failed: \(error)")
                }
                coordinator.add(report)
            }
        }
        // Cut the connection now and then while the holders work, from both sides in turn.
        node.spawn { process in
            for cut in 0..<cuts {
                _ = try await process.receive(timeout: .milliseconds(40)) { _ -> Bool? in nil }
                if cut % 2 == 0 {
                    await process.node.disconnect(peer.name)
                } else {
                    try await peer.disconnect(process)
                }
            }
            coordinator.cutsDone()
        }
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline, !coordinator.workDone(holders: holders) {
            try await Task.sleep(for: .milliseconds(20))
        }
        await endPeer()
        coordinator.peerIsGone()
        while ContinuousClock.now < deadline, coordinator.reports.count < holders {
            try await Task.sleep(for: .milliseconds(20))
        }
        let reports = coordinator.reports
        if reports.count < holders { Issue.record("only \(reports.count) of \(holders) holders reported") }
        return reports
    }

    private static func holder(
        _ process: ProcessContext, peer: StressPeer, rounds: Int, seed: UInt64, report: inout HolderReport,
        coordinator: StressCoordinator
    ) async throws {
        process.trapExit = true
        var random = SplitMix64(seed: seed)
        var targets: [PID] = []
        for _ in 0..<3 { targets.append(try await peer.spawnTarget(process)) }
        var sequence = 0
        var lastEcho = 0

        func handle(_ message: Term) {
            guard case .tuple(let t) = message else { return }
            if t.count == 5, t[0] == "DOWN", case .reference(let reference) = t[1] {
                report.downs[reference, default: 0] += 1
                report.stillMonitoring[reference] = nil
                if t[4] == "noconnection" { report.noconnections += 1 }
            } else if t.count == 3, t[0] == "EXIT", case .pid(let from) = t[1] {
                report.exits[from, default: 0] += 1
                report.stillLinked.remove(from)
                if t[2] == "noconnection" { report.noconnections += 1 }
            } else if t.count == 2, t[0] == "seq", case .integer(let n) = t[1] {
                if n <= lastEcho { report.outOfOrder.append("echo \(n) after \(lastEcho)") }
                lastEcho = n
                report.echoes += 1
            }
        }

        for _ in 0..<rounds {
            let target = targets[random.next(below: targets.count)]
            switch random.next(below: 100) {
            case 0..<25:
                let reference = await process.monitor(target)
                report.monitorsMade += 1
                report.stillMonitoring[reference] = target
            case 25..<35:
                if let reference = report.stillMonitoring.keys.first {
                    await process.demonitor(reference, flush: true)
                    report.stillMonitoring[reference] = nil
                    report.demonitored.insert(reference)
                }
            case 35..<55:
                if !report.stillLinked.contains(target) {
                    await process.link(target)
                    report.stillLinked.insert(target)
                    report.linksMade[target, default: 0] += 1
                }
            case 55..<62:
                await process.unlink(target)
                report.stillLinked.remove(target)
            case 62..<85:
                sequence += 1
                await process.send(.tuple([.pid(process.pid), .tuple(["seq", .integer(sequence)])]), to: peer.echo)
            case 85..<89:
                await process.send(.tuple(["exit_with", "stress_kill"]), to: target)
                targets.removeAll { $0 == target }
                targets.append(try await peer.spawnTarget(process))
            default:
                while let message = try await process.receive(timeout: .zero) { handle(message) }
            }
        }
        // The work is done: keep reading until the peer is gone and every monitor and link broke.
        coordinator.arrive()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline,
            !coordinator.peerGone || !report.stillMonitoring.isEmpty || !report.stillLinked.isEmpty
        {
            if let message = try await process.receive(timeout: .milliseconds(50)) { handle(message) }
        }
        // Anything left over: a late duplicate would show here.
        while let message = try await process.receive(timeout: .milliseconds(100)) { handle(message) }
    }
}

/// Where the holders and the test meet.
final class StressCoordinator: Sendable {
    private struct State {
        var arrived = 0
        var cutsDone = false
        var peerGone = false
        var reports: [HolderReport] = []
    }

    private let state = Mutex(State())

    func arrive() { state.withLock { $0.arrived += 1 } }
    func cutsDone() { state.withLock { $0.cutsDone = true } }
    func peerIsGone() { state.withLock { $0.peerGone = true } }
    func add(_ report: HolderReport) { state.withLock { $0.reports.append(report) } }

    func workDone(holders: Int) -> Bool { state.withLock { $0.arrived >= holders && $0.cutsDone } }
    var peerGone: Bool { state.withLock { $0.peerGone } }
    var reports: [HolderReport] { state.withLock { $0.reports } }
}
