import Colony
public import ErlangTerm

/// The membership view of one node and its failure detector, as a pure state machine with
/// injected time and randomness (SWIM's probes, with Lifeguard's local health multiplier).
///
/// Each protocol period it probes one member, in a shuffled round-robin order. A member that does
/// not answer within ``MembershipSettings/probeTimeout`` is probed through up to
/// ``MembershipSettings/indirectProbes`` Colony members; if neither it nor they report an answer
/// within the period, it becomes ``MemberStatus/suspect``, and ``MemberStatus/unreachable`` if it
/// stays silent for the suspicion timeout. Any answer makes it ``MemberStatus/up`` again. So one
/// bad link between two nodes does not make either unreachable while others can reach it.
///
/// The local health score rises when this node's own probes fail without the helpers reporting
/// that they failed too (the fault is likely here: overloaded, or its links are bad), and falls
/// with each probe answered; every timeout is multiplied by one plus the score.
///
/// The shell (``ClusterMembership``) performs the ``Effect``s and reports what happens back.
public struct MembershipState: Sendable {
    /// What the shell must do.
    public enum Effect: Sendable, Equatable {
        /// Probe `node` directly; report an answer with ``acknowledged(_:at:)`` and this id.
        case probe(Atom, id: Int)
        /// Ask the Colony member `helper` to probe `target`; it answers with ``answered(_:reached:at:)``.
        case requestProbe(helper: Atom, target: Atom, id: Int)
        /// Tell `requester` whether `target` answered the probe it asked for as `id`.
        case answer(requester: Atom, target: Atom, id: Int, reached: Bool)
        /// A member's status changed.
        case changed(MembershipChange)
    }

    private struct Probe {
        var target: Atom
        var id: Int
        var started: Duration
        var askedHelpers = false
        var helpers = 0
        var nacks = 0
    }

    private struct Relay {
        var requester: Atom
        var target: Atom
        var id: Int
        var deadline: Duration
    }

    /// This node.
    public let me: Atom
    /// When this node started, in milliseconds since 1970.
    public let started: Int
    /// How it probes.
    public let settings: MembershipSettings
    /// The local health score (0 is healthy), at most ``MembershipSettings/maxLocalHealth``.
    public private(set) var localHealth = 0
    private var table: [Atom: Member] = [:]
    private var random: SeededRandom
    private var round: [Atom] = []
    private var current: Probe?
    private var relays: [Int: Relay] = [:]
    private var suspected: [Atom: Duration] = [:]
    private var nextProbeAt: Duration = .zero
    private var nextID = 1
    private var lastTick: Duration?

    /// The view of `me` (started at `started`), with no members yet.
    public init(me: Atom, started: Int, settings: MembershipSettings = .init(), seed: UInt64) {
        self.me = me
        self.started = started
        self.settings = settings
        random = SeededRandom(seed: seed)
    }

    /// The other members, by name.
    public var members: [Member] { table.values.sorted { $0.name.name < $1.name.name } }

    /// The member `name`, if it is one.
    public func member(_ name: Atom) -> Member? { table[name] }

    /// How much longer than the settings say every wait is now.
    public var multiplier: Int { 1 + localHealth }

    /// A connection to `node` came up.
    public mutating func connected(_ node: Atom, at now: Duration) -> [Effect] {
        guard node != me else { return [] }
        suspected[node] = nil
        guard var member = table[node] else {
            table[node] = Member(name: node, status: .up, since: now)
            return [.changed(MembershipChange(name: node, from: nil, to: .up))]
        }
        member.isConnected = true
        table[node] = member
        return set(node, .up, at: now)
    }

    /// The Colony node `node`, started at `started` (milliseconds since 1970), introduced itself.
    public mutating func introduced(_ node: Atom, started: Int, at now: Duration) -> [Effect] {
        guard node != me else { return [] }
        var effects: [Effect] = []
        if table[node] == nil { effects = connected(node, at: now) }
        table[node]?.isColony = true
        table[node]?.started = started
        return effects
    }

    /// The connection to `node` went down for `reason`. A member taken out on purpose
    /// (`disconnect`) or leaving is no longer a member; a downed one stays down; one whose
    /// connection a newer one replaced (`replaced`) keeps its status; any other becomes
    /// unreachable.
    public mutating func disconnected(_ node: Atom, reason: String, at now: Duration) -> [Effect] {
        guard var member = table[node] else { return [] }
        member.isConnected = false
        table[node] = member
        suspected[node] = nil
        if current?.target == node { current = nil }
        // A newer connection to the same node replaced this one: it is still there (its nodeup follows).
        if reason == "replaced" { return [] }
        switch member.status {
        case .down: return []
        case .leaving: return remove(node)
        case .up, .suspect, .unreachable:
            return reason == "disconnect" ? remove(node) : set(node, .unreachable, at: now)
        }
    }

    /// `node` said it is leaving.
    public mutating func leaving(_ node: Atom, at now: Duration) -> [Effect] {
        suspected[node] = nil
        return set(node, .leaving, at: now)
    }

    /// The split-brain resolver took `node` out of the cluster. Only a member still unreachable
    /// (or suspect) is downed: one that has come back since the decision (a restarted node that
    /// rejoined under the same name) stays up. No effect means it was not downed.
    public mutating func markDown(_ node: Atom, at now: Duration) -> [Effect] {
        guard let status = table[node]?.status, status == .unreachable || status == .suspect else { return [] }
        suspected[node] = nil
        if current?.target == node { current = nil }
        return set(node, .down, at: now)
    }

    /// The direct probe `id` was answered.
    public mutating func acknowledged(_ id: Int, at now: Duration) -> [Effect] {
        if let probe = current, probe.id == id { return succeeded(probe, at: now) }
        guard let relay = relays.removeValue(forKey: id) else { return [] }
        return [.answer(requester: relay.requester, target: relay.target, id: relay.id, reached: true)]
    }

    /// A helper answered the indirect probe `id`: whether the target answered it.
    public mutating func answered(_ id: Int, reached: Bool, at now: Duration) -> [Effect] {
        guard var probe = current, probe.id == id else { return [] }
        if reached { return succeeded(probe, at: now) }
        probe.nacks += 1
        current = probe
        return []
    }

    /// `requester` asks this node to probe `target` for its probe `id`.
    public mutating func probeRequested(
        by requester: Atom, target: Atom, id: Int, at now: Duration
    ) -> [Effect] {
        if target == me { return [.answer(requester: requester, target: target, id: id, reached: true)] }
        guard table[target]?.isConnected == true else {
            return [.answer(requester: requester, target: target, id: id, reached: false)]
        }
        let mine = takeID()
        relays[mine] = Relay(requester: requester, target: target, id: id, deadline: now + settings.probeTimeout)
        return [.probe(target, id: mine)]
    }

    /// What is due at `now`: helpers to ask, failed probes, suspicions that ran out, the next
    /// probe. Call it often (``ClusterMembership`` does every eighth of the probe timeout).
    public mutating func tick(at now: Duration) -> [Effect] {
        if let lastTick, let threshold = settings.pauseThreshold, now - lastTick > threshold {
            resumed(after: now - lastTick)
        }
        lastTick = now
        var effects: [Effect] = []
        for (id, relay) in relays where now >= relay.deadline {
            relays[id] = nil
            effects.append(.answer(requester: relay.requester, target: relay.target, id: relay.id, reached: false))
        }
        if var probe = current {
            let elapsed = now - probe.started
            if !probe.askedHelpers, elapsed >= settings.probeTimeout * multiplier {
                probe.askedHelpers = true
                let helpers = helpers(for: probe.target)
                probe.helpers = helpers.count
                effects += helpers.map { .requestProbe(helper: $0, target: probe.target, id: probe.id) }
            }
            current = probe
            if elapsed >= settings.probeInterval * multiplier { effects += failed(probe, at: now) }
        }
        for (node, since) in suspected where now - since >= settings.suspicionTimeout * multiplier {
            suspected[node] = nil
            effects += set(node, .unreachable, at: now)
        }
        if current == nil, now >= nextProbeAt {
            if let target = nextTarget() {
                let id = takeID()
                current = Probe(target: target, id: id, started: now)
                effects.append(.probe(target, id: id))
            }
            nextProbeAt = now + settings.probeInterval * multiplier
        }
        return effects
    }

    /// This node did not run for `pause`: every timer moves on by it, so that the answers that
    /// waited in its sockets meanwhile are read before anyone is suspected for the silence.
    private mutating func resumed(after pause: Duration) {
        current?.started += pause
        for id in relays.keys { relays[id]?.deadline += pause }
        for node in suspected.keys { suspected[node]? += pause }
        nextProbeAt += pause
    }

    private mutating func succeeded(_ probe: Probe, at now: Duration) -> [Effect] {
        current = nil
        localHealth = max(0, localHealth - 1)
        suspected[probe.target] = nil
        guard let member = table[probe.target], member.isConnected,
            member.status == .suspect || member.status == .unreachable
        else { return [] }
        return set(probe.target, .up, at: now)
    }

    private mutating func failed(_ probe: Probe, at now: Duration) -> [Effect] {
        current = nil
        // Helpers that report their own probe failed show the fault is not here.
        if probe.helpers == 0 || probe.nacks < probe.helpers {
            localHealth = min(settings.maxLocalHealth, localHealth + 1)
        }
        guard table[probe.target]?.status == .up else { return [] }
        suspected[probe.target] = now
        return set(probe.target, .suspect, at: now)
    }

    private mutating func helpers(for target: Atom) -> [Atom] {
        let candidates = table.values.filter {
            $0.name != target && $0.isColony && $0.isConnected && $0.status == .up
        }.map(\.name).sorted { $0.name < $1.name }
        return Array(candidates.shuffled(using: &random).prefix(settings.indirectProbes))
    }

    private mutating func nextTarget() -> Atom? {
        for _ in 0..<2 {
            while let next = round.popLast() {
                if let member = table[next], member.isConnected, member.status != .down, member.status != .leaving {
                    return next
                }
            }
            round = table.keys.sorted { $0.name < $1.name }.shuffled(using: &random)
        }
        return nil
    }

    private mutating func set(_ node: Atom, _ status: MemberStatus, at now: Duration) -> [Effect] {
        guard var member = table[node], member.status != status else { return [] }
        let from = member.status
        member.status = status
        member.since = now
        table[node] = member
        return [.changed(MembershipChange(name: node, from: from, to: status))]
    }

    private mutating func remove(_ node: Atom) -> [Effect] {
        guard let member = table.removeValue(forKey: node) else { return [] }
        return [.changed(MembershipChange(name: node, from: member.status, to: nil))]
    }

    private mutating func takeID() -> Int {
        defer { nextID += 1 }
        return nextID
    }
}
