import ColonyTestSupport

@testable import ColonyRaft

/// Raft servers on a simulated network with a virtual clock: messages are delayed at random (so
/// they reorder), lost, duplicated, and cut by partitions; servers crash and restart from what
/// they stored. Every step checks Raft's safety properties; a seed replays a run exactly.
struct RaftSimulation {
    struct Stored {
        var hardState = HardState()
        var snapshot: RaftSnapshot?
        var entries: [LogEntry] = []
    }

    struct Flight {
        var at: Duration
        var from: RaftServerID
        var to: RaftServerID
        var message: RaftMessage
    }

    let names: [RaftServerID]
    let bootstrap: RaftConfiguration
    let settings: RaftSettings
    var servers: [RaftServerID: RaftNode] = [:]
    var stored: [RaftServerID: Stored] = [:]
    /// Each server's state machine: the commands applied, in order (index → command).
    var machines: [RaftServerID: [LogIndex: [UInt8]]] = [:]
    var network: [Flight] = []
    var random: SplitMix64
    var now: Duration = .zero
    var side: [RaftServerID: Int] = [:]
    var lossPercent = 0
    var duplicatePercent = 0
    var maxDelayMilliseconds = 5
    var snapshotEvery: LogIndex = 0

    /// Safety records: the leader of each term, and what was applied at each index.
    var leaderOfTerm: [RaftTerm: RaftServerID] = [:]
    var appliedAt: [LogIndex: LogEntry] = [:]
    /// Commands acknowledged to a client (applied on the leader that accepted them, same term).
    var acknowledged: [[UInt8]: LogIndex] = [:]
    var pendingProposals: [RaftServerID: [(index: LogIndex, term: RaftTerm, command: [UInt8])]] = [:]
    var violations: [String] = []
    /// Every read answer each server gave.
    var readLog: [RaftServerID: [RaftReadResult]] = [:]
    var proposalCount = 0

    init(servers count: Int, seed: UInt64, settings: RaftSettings = RaftSettings()) {
        random = SplitMix64(seed: seed)
        names = (0..<count).map { RaftServerID("s\($0)") }
        bootstrap = RaftConfiguration(voters: Set(names))
        self.settings = settings
        for (index, name) in names.enumerated() {
            stored[name] = Stored()
            servers[name] = RaftNode(
                id: name, bootstrap: bootstrap, settings: settings, seed: seed &+ UInt64(index) &* 7919, now: now)
            machines[name] = [:]
            side[name] = 0
        }
    }

    // MARK: - Driving

    /// Runs the clock forward `duration`, in steps of one millisecond.
    mutating func run(for duration: Duration) {
        let end = now + duration
        while now < end {
            now += .milliseconds(1)
            deliverDue()
            for name in names where servers[name] != nil {
                servers[name]!.tick(now: now)
                process(name)
            }
        }
    }

    mutating func deliverDue() {
        var due: [Flight] = []
        network.removeAll { flight in
            if flight.at <= now {
                due.append(flight)
                return true
            }
            return false
        }
        // Same-time deliveries in random order.
        due.shuffle(using: &random)
        for flight in due {
            guard servers[flight.to] != nil, connected(flight.from, flight.to) else { continue }
            servers[flight.to]!.receive(flight.message, from: flight.from, now: now)
            process(flight.to)
        }
    }

    func connected(_ a: RaftServerID, _ b: RaftServerID) -> Bool { side[a] == side[b] }

    /// Does what `name`'s ready asks: store, send, apply; checks safety on the way.
    mutating func process(_ name: RaftServerID) {
        while servers[name]!.hasReady {
            let ready = servers[name]!.ready()
            store(name, ready)
            for envelope in ready.messages { transmit(from: name, envelope) }
            if let snapshot = ready.snapshot { machines[name] = Self.decode(snapshot.data) }
            for entry in ready.committed { apply(name, entry) }
            readLog[name, default: []] += ready.reads
            servers[name]!.advance(ready)
            checkLeader(name)
            maybeSnapshot(name)
        }
    }

    mutating func store(_ name: RaftServerID, _ ready: RaftReady) {
        var disk = stored[name]!
        if let hardState = ready.hardState { disk.hardState = hardState }
        if let snapshot = ready.snapshot {
            disk.snapshot = snapshot
            disk.entries.removeAll { $0.index <= snapshot.metadata.index }
        }
        if let from = ready.truncateFrom { disk.entries.removeAll { $0.index >= from } }
        for entry in ready.entries {
            if let last = disk.entries.last?.index ?? disk.snapshot?.metadata.index, entry.index != last + 1 {
                violations.append("\(name) stored entry \(entry.index) after \(last)")
            }
            disk.entries.append(entry)
        }
        stored[name] = disk
    }

    mutating func transmit(from: RaftServerID, _ envelope: RaftEnvelope) {
        guard connected(from, envelope.to), Int(random.next(below: 100)) >= lossPercent else { return }
        let copies = Int(random.next(below: 100)) < duplicatePercent ? 2 : 1
        for _ in 0..<copies {
            let delay = Duration.milliseconds(1 + random.next(below: maxDelayMilliseconds))
            network.append(Flight(at: now + delay, from: from, to: envelope.to, message: envelope.message))
        }
    }

    mutating func apply(_ name: RaftServerID, _ entry: LogEntry) {
        if let earlier = appliedAt[entry.index] {
            if earlier != entry {
                violations.append("\(name) applied \(entry) at \(entry.index) where \(earlier) was applied")
            }
        } else {
            appliedAt[entry.index] = entry
        }
        if case .command(let bytes) = entry.payload { machines[name]![entry.index] = bytes }
        // A client waiting on the leader learns the outcome when the entry at its index applies.
        if var pending = pendingProposals[name] {
            pending.removeAll { proposal in
                guard proposal.index <= entry.index else { return false }
                if proposal.index == entry.index, proposal.term == entry.term {
                    acknowledged[proposal.command] = proposal.index
                }
                return true
            }
            pendingProposals[name] = pending
        }
    }

    mutating func checkLeader(_ name: RaftServerID) {
        guard let server = servers[name], server.role == .leader else { return }
        if let other = leaderOfTerm[server.term], other != name {
            violations.append("two leaders in term \(server.term): \(other) and \(name)")
        }
        leaderOfTerm[server.term] = name
    }

    mutating func maybeSnapshot(_ name: RaftServerID) {
        guard snapshotEvery > 0, let server = servers[name],
            server.appliedIndex >= server.snapshotIndex + snapshotEvery
        else { return }
        let index = server.appliedIndex
        let data = Self.encode(machines[name]!)
        servers[name]!.compact(through: index, data: data)
        let metadata = SnapshotMetadata(
            index: index, term: servers[name]!.log.snapshot.term,
            configuration: servers[name]!.log.snapshot.configuration)
        stored[name]!.snapshot = RaftSnapshot(metadata: metadata, data: data)
        stored[name]!.entries.removeAll { $0.index <= index }
    }

    // MARK: - Clients and faults

    /// The current leaders (more than one only while an old one has not learned it is deposed).
    var leaders: [RaftServerID] { names.filter { servers[$0]?.role == .leader } }

    /// Proposes a fresh command to a random live server; true if it was accepted.
    @discardableResult
    mutating func proposeSomewhere() -> Bool {
        let live = names.filter { servers[$0] != nil }
        guard !live.isEmpty else { return false }
        let target = leaders.randomElement(using: &random) ?? live.randomElement(using: &random)!
        proposalCount += 1
        let command = Array("c\(proposalCount)".utf8)
        guard case .accepted(let index, let term) = servers[target]!.propose(command, now: now) else { return false }
        pendingProposals[target, default: []].append((index, term, command))
        process(target)
        return true
    }

    mutating func crash(_ name: RaftServerID) {
        servers[name] = nil
        machines[name] = [:]
        pendingProposals[name] = nil
    }

    mutating func restart(_ name: RaftServerID) {
        guard servers[name] == nil else { return }
        let disk = stored[name]!
        servers[name] = RaftNode(
            id: name, bootstrap: bootstrap, hardState: disk.hardState, snapshot: disk.snapshot, entries: disk.entries,
            settings: settings, seed: random.next(), now: now)
        machines[name] = disk.snapshot.map { Self.decode($0.data) } ?? [:]
    }

    mutating func partition(_ groups: [[RaftServerID]]) {
        for (number, group) in groups.enumerated() {
            for name in group { side[name] = number }
        }
    }

    mutating func heal() {
        for name in names { side[name] = 0 }
    }

    // MARK: - Final checks

    /// After the run has quiesced: every live server applied the same commands, and every
    /// acknowledged command is among them.
    func finalViolations() -> [String] {
        var found = violations
        let live = names.filter { servers[$0] != nil }
        guard let reference = live.first.flatMap({ machines[$0] }) else { return found }
        for name in live where machines[name]! != reference {
            found.append("\(name) applied \(machines[name]!.count) commands, \(live.first!) \(reference.count)")
        }
        // Log matching: two stored logs with an entry of the same index and term agree on it.
        var byIndex: [LogIndex: LogEntry] = [:]
        for name in names {
            for entry in stored[name]!.entries {
                if let other = byIndex[entry.index], other.term == entry.term, other != entry {
                    found.append("\(name) stores \(entry) where another server stores \(other)")
                }
                byIndex[entry.index] = entry
            }
        }
        let applied = Set(reference.values)
        for (command, index) in acknowledged where !applied.contains(command) {
            found.append("acknowledged \(String(decoding: command, as: UTF8.self)) at \(index) is lost")
        }
        return found
    }

    // MARK: - Snapshot encoding of the test state machine

    static func encode(_ machine: [LogIndex: [UInt8]]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (index, command) in machine.sorted(by: { $0.key < $1.key }) {
            bytes += withUnsafeBytes(of: index.littleEndian, Array.init)
            bytes += withUnsafeBytes(of: UInt32(command.count).littleEndian, Array.init)
            bytes += command
        }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) -> [LogIndex: [UInt8]] {
        var machine: [LogIndex: [UInt8]] = [:]
        var offset = 0
        while offset + 12 <= bytes.count {
            let index = bytes[offset..<offset + 8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let count = Int(bytes[offset + 8..<offset + 12].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            offset += 12
            machine[index] = Array(bytes[offset..<offset + count])
            offset += count
        }
        return machine
    }
}
