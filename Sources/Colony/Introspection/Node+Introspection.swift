public import ErlangTerm
import Foundation

extension Node {
    /// The module under which every Colony node answers an observer: `colony_observer:snapshot(N)`
    /// returns ``NodeSnapshot`` as a map term, with the top `N` processes.
    public static let observerModule: Atom = "colony_observer"

    /// Records an event in this node's log (what observers and the dashboard show), e.g. from a
    /// cluster module.
    public func record(_ kind: ObservedEvent.Kind, subject: String, detail: String) {
        distribution.eventLog.record(kind, subject: subject, detail: detail)
    }

    /// The node's recent events (node up and down, supervisor restarts), oldest first.
    public func recentEvents(_ limit: Int = 50) -> [ObservedEvent] {
        distribution.eventLog.recent(limit)
    }

    /// What this node shows an observer now: its processes (the `topProcesses` with the most
    /// messages waiting), its connections, its supervision trees and its recent events.
    ///
    /// Asking each supervisor for its children is a call to it, bounded by `supervisorTimeout`;
    /// one that does not answer in time shows without children.
    public func snapshot(topProcesses limit: Int = 10, supervisorTimeout: Duration = .seconds(1)) async
        -> NodeSnapshot
    {
        let processes = self.processes.all
        var ranked: [(process: LocalProcess, waiting: Int, bytes: Int)] = processes.map { process in
            let waiting = process.messageQueueLength
            let bytes = waiting > 0 ? process.mailbox.estimatedQueuedBytes(budget: 10_000) : 0
            return (process, waiting, bytes)
        }
        ranked.sort { ($0.waiting, $0.bytes, $1.process.pid.id) > ($1.waiting, $1.bytes, $0.process.pid.id) }
        let top = ranked.prefix(max(0, limit)).map { entry in
            ProcessSummary(
                pid: Self.local(entry.process.pid), name: registeredName(of: entry.process.pid)?.name,
                mailbox: entry.waiting, queuedBytes: entry.bytes)
        }
        let peers = distribution.peers.map {
            NodeSnapshot.Peer(name: $0.name.name, hidden: $0.hidden, transport: $0.transport)
        }
        return NodeSnapshot(
            name: name.name, takenAt: Int64((Date().timeIntervalSince1970 * 1000).rounded()),
            processCount: processes.count, connections: peers.sorted { $0.name < $1.name }, topProcesses: top,
            supervision: await supervisionTrees(timeout: supervisorTimeout), events: recentEvents(),
            transport: distribution.transportName)
    }

    /// The supervision trees: each supervisor that no local supervisor supervises, with its
    /// children and theirs.
    func supervisionTrees(timeout: Duration) async -> [SupervisionNode] {
        let live = supervisors.withLock { supervisors in
            supervisors = supervisors.filter { processes.lookup($0) != nil }
            return supervisors.sorted { $0.id < $1.id }
        }
        // All at once: a busy supervisor costs the snapshot one timeout, not one each.
        var children: [PID: [SupervisorChild]] = [:]
        await withTaskGroup(of: (PID, [SupervisorChild]).self) { group in
            for supervisor in live {
                group.addTask {
                    let ref = SupervisorRef(.pid(supervisor), on: self, timeout: timeout)
                    return (supervisor, (try? await ref.whichChildren()) ?? [])
                }
            }
            for await (supervisor, list) in group { children[supervisor] = list }
        }
        let supervised = Set(children.values.flatMap { $0.compactMap(\.pid) })
        return live.filter { !supervised.contains($0) }.map { root in
            let name = registeredName(of: root)
            return SupervisionNode(
                id: name?.name ?? Self.local(root), pid: Self.local(root), name: name?.name, type: "supervisor",
                status: "running", children: tree(under: root, children: children, depth: 0))
        }
    }

    private func tree(under supervisor: PID, children: [PID: [SupervisorChild]], depth: Int) -> [SupervisionNode] {
        guard depth < 16 else { return [] }
        return (children[supervisor] ?? []).map { child in
            let pid = child.pid
            let status: String
            switch child.status {
            case .running: status = "running"
            case .restarting: status = "restarting"
            case .notRunning: status = "stopped"
            }
            let id = child.id == "undefined" ? (pid.map(Self.local) ?? "undefined") : Self.display(child.id)
            return SupervisionNode(
                id: id, pid: pid.map(Self.local), name: pid.flatMap { registeredName(of: $0) }?.name,
                type: child.type == .supervisor ? "supervisor" : "worker", status: status,
                children: pid.map { tree(under: $0, children: children, depth: depth + 1) } ?? [])
        }
    }

    /// The name `pid` is registered under here, if any.
    func registeredName(of pid: PID) -> Atom? {
        processes.lookup(pid)?.state.withLock { $0.registeredName }
    }

    /// A pid as the node it belongs to prints it: `<0.Id.Serial>`.
    static func local(_ pid: PID) -> String { "<0.\(pid.id).\(pid.serial)>" }

    /// A child id as an operator reads it: an atom's or a binary's text, any other term printed.
    static func display(_ id: Term) -> String {
        switch id {
        case .atom(let atom): return atom.name
        case .binary(let bytes): return String(decoding: bytes, as: UTF8.self)
        default: return "\(id)"
        }
    }

    /// Registers `colony_observer:snapshot/1` (and `/0`, with ten processes).
    func registerObserverFunctions() {
        functions.register(module: Self.observerModule, function: "snapshot") { arguments, process in
            let limit: Int
            switch arguments.first {
            case nil: limit = 10
            case .integer(let n)? where (0...1000).contains(n) && arguments.count == 1: limit = n
            default: throw ProcessExit("badarg")
            }
            return try TermEncoder().encode(await process.node.snapshot(topProcesses: limit))
        }
    }
}

extension ProcessContext {
    /// Records an event about this process (named by its registered name, or its pid) in its
    /// node's event log.
    func recordEvent(_ kind: ObservedEvent.Kind, _ detail: String) {
        let subject = process.state.withLock { $0.registeredName }?.name ?? Node.local(pid)
        node.distribution.eventLog.record(kind, subject: subject, detail: detail)
    }
}
