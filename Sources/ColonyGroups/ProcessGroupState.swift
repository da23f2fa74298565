public import ErlangTerm

/// One node's `pg` scope as a pure state machine, speaking OTP's scope protocol (`pg.erl`, OTP 25):
/// the shell feeds it what the scope process receives and performs the ``Effect``s it returns.
///
/// Each node's scope process (registered under the scope's name) keeps every group's members:
/// its own processes (monitored, so they leave when they exit) and those that the same-named scope
/// on each other node reported. On `nodeup` it sends `{discover, Self}` to `{Scope, Node}`; a scope
/// that is discovered answers with a `{sync, Self, [{Group, [Pid]}]}` cast of its local members,
/// monitors the discoverer and discovers it back. Local joins and leaves go to every known peer
/// scope as `{join, Self, Group, PidOrPids}` and `{leave, Self, PidOrPids, Groups}`; a peer scope
/// that goes `DOWN` takes its members with it.
public struct ProcessGroupState: Sendable {
    /// What the shell must do.
    public enum Effect: Sendable, Equatable {
        /// Send `message` to `pid` (a peer scope), without connecting (`noconnect`).
        case send(Term, to: PID)
        /// Send `message` to the process registered as `name` on `node`.
        case sendNamed(Term, name: Atom, node: Atom)
        /// Monitor `pid` (a local member, or a peer scope).
        case monitor(PID)
        /// Stop monitoring `pid`.
        case demonitor(PID)
        /// Group membership changed (for `monitor_scope` and `monitor` subscribers).
        case changed(ProcessGroupChange)
    }

    private struct Members: Sendable {
        var all: [PID] = []
        var local: [PID] = []
    }

    /// The scope's name (the default scope is `pg`).
    public let scope: Atom
    /// The scope process's pid.
    public let me: PID
    /// Local members: each pid with the groups it joined, once per join.
    private var local: [PID: [Term]] = [:]
    /// Peer scopes, each with its members by group.
    private var remote: [PID: [Term: [PID]]] = [:]
    private var table: [Term: Members] = [:]
    /// Local joins not yet sent to the peers (``join(_:_:single:deferred:)``), by group, in order.
    private var outgoing: [(group: Term, pids: [PID])] = []

    /// An empty scope `scope` run by the process `me`.
    public init(scope: Atom, me: PID) {
        self.scope = scope
        self.me = me
    }

    // MARK: - Reads

    /// Every member of `group`, on every node (`pg:get_members/2`).
    public func members(_ group: Term) -> [PID] { table[group]?.all ?? [] }

    /// The members of `group` on this node (`pg:get_local_members/2`).
    public func localMembers(_ group: Term) -> [PID] { table[group]?.local ?? [] }

    /// Every group with members (`pg:which_groups/1`).
    public var groups: [Term] { Array(table.keys) }

    /// Every group and its members (what `monitor_scope` answers first).
    public var allMembers: [Term: [PID]] { table.mapValues(\.all) }

    /// The peer scopes known.
    public var peers: [PID] { Array(remote.keys) }

    // MARK: - Node events

    /// A node connected: discover whether it runs this scope.
    public func nodeUp(_ node: Atom) -> [Effect] {
        guard node != me.node else { return [] }
        return [.sendNamed(.tuple(["discover", .pid(me)]), name: scope, node: node)]
    }

    /// The scope process starts: discover the scope on every connected node.
    public func started(connected nodes: [Atom]) -> [Effect] { nodes.flatMap(nodeUp) }

    // MARK: - Local joins and leaves

    /// How many local joins wait to be sent (see ``flush()``).
    public var deferredJoins: Int { outgoing.reduce(0) { $0 + $1.pids.count } }

    /// Sends the deferred joins: one `join` message per group, with every pid that joined it
    /// (the protocol allows a list). Joins commute with each other, so merging them keeps their
    /// meaning; the shell flushes before anything else goes out, so they keep their place among
    /// the other messages.
    public mutating func flush() -> [Effect] {
        defer { outgoing = [] }
        return outgoing.flatMap { broadcast(.tuple(["join", .pid(me), $0.group, .list($0.pids.map(Term.pid))])) }
    }

    /// Local `pids` join `group` (once more each, if already in it). With `deferred`, the
    /// message to the peers waits for ``flush()``, merged with other joins.
    public mutating func join(_ group: Term, _ pids: [PID], single: Bool = false, deferred: Bool = false) -> [Effect] {
        guard !pids.isEmpty else { return [] }
        var effects: [Effect] = []
        for pid in pids {
            if local[pid] == nil { effects.append(.monitor(pid)) }
            local[pid, default: []].insert(group, at: 0)
        }
        var entry = table[group] ?? Members()
        entry.all.insert(contentsOf: pids, at: 0)
        entry.local.insert(contentsOf: pids, at: 0)
        table[group] = entry
        effects.append(.changed(.join(group: group, pids: pids)))
        if deferred {
            if let index = outgoing.firstIndex(where: { $0.group == group }) {
                outgoing[index].pids.insert(contentsOf: pids, at: 0)
            } else {
                outgoing.append((group, pids))
            }
            return effects
        }
        let payload: Term = single && pids.count == 1 ? .pid(pids[0]) : .list(pids.map(Term.pid))
        effects += broadcast(.tuple(["join", .pid(me), group, payload]))
        return effects
    }

    /// Local `pids` leave `group` (one join each). `nil` when none of them was in it
    /// (`not_joined`).
    public mutating func leave(_ group: Term, _ pids: [PID], single: Bool = false) -> [Effect]? {
        var effects: [Effect] = []
        var left: [PID] = []
        for pid in pids {
            guard var groups = local[pid], let index = groups.firstIndex(of: group) else { continue }
            groups.remove(at: index)
            left.append(pid)
            if groups.isEmpty {
                local[pid] = nil
                effects.append(.demonitor(pid))
            } else {
                local[pid] = groups
            }
        }
        guard !left.isEmpty else { return nil }
        removeFromTable(group, left, local: true)
        effects.append(.changed(.leave(group: group, pids: left)))
        let payload: Term = single && pids.count == 1 ? .pid(pids[0]) : .list(pids.map(Term.pid))
        effects += broadcast(.tuple(["leave", .pid(me), payload, .list([group])]))
        return effects
    }

    // MARK: - What the scope process receives

    /// A monitored process ended: a local member leaves all its groups, a peer scope takes its
    /// members with it.
    public mutating func down(_ pid: PID) -> [Effect] {
        if let groups = local.removeValue(forKey: pid) {
            var effects: [Effect] = []
            for group in groups {
                removeFromTable(group, [pid], local: true)
                effects.append(.changed(.leave(group: group, pids: [pid])))
            }
            return effects + broadcast(.tuple(["leave", .pid(me), .pid(pid), .list(groups)]))
        }
        guard let groups = remote.removeValue(forKey: pid) else { return [] }
        var effects: [Effect] = []
        for (group, pids) in groups.sorted(by: { "\($0.key)" < "\($1.key)" }) where !pids.isEmpty {
            removeFromTable(group, pids, local: false)
            effects.append(.changed(.leave(group: group, pids: pids)))
        }
        return effects
    }

    /// The message `message`, received by the scope process: `discover`, `sync`, `join`, `leave`.
    /// Anything else is ignored (OTP's scope crashes on it; a Colony scope is not brought down by
    /// a peer).
    public mutating func received(_ message: Term) -> [Effect] {
        guard case .tuple(let t) = message, let kind = t.first else { return [] }
        switch (kind, t.count) {
        case (.atom("discover"), 2):
            guard case .pid(let peer) = t[1] else { return [] }
            return discover(peer)
        case (.atom("$gen_cast"), 2):
            guard case .tuple(let sync) = t[1], sync.count == 3, sync[0] == .atom("sync"),
                case .pid(let peer) = sync[1], let groups = Self.groupList(sync[2])
            else { return [] }
            return self.sync(peer, groups)
        case (.atom("join"), 4):
            guard case .pid(let peer) = t[1], let pids = Self.pids(t[3]), remote[peer] != nil else { return [] }
            remote[peer, default: [:]][t[2], default: []].insert(contentsOf: pids, at: 0)
            var entry = table[t[2]] ?? Members()
            entry.all.insert(contentsOf: pids, at: 0)
            table[t[2]] = entry
            return [.changed(.join(group: t[2], pids: pids))]
        case (.atom("leave"), 4):
            guard case .pid(let peer) = t[1], let pids = Self.pids(t[2]), case .list(let groups) = t[3],
                var known = remote[peer]
            else { return [] }
            var effects: [Effect] = []
            for group in groups {
                guard let members = known[group] else { continue }
                let remaining = Self.removing(pids, from: members)
                known[group] = remaining.isEmpty ? nil : remaining
                removeFromTable(group, pids, local: false)
                effects.append(.changed(.leave(group: group, pids: pids)))
            }
            remote[peer] = known
            return effects
        default:
            return []
        }
    }

    private mutating func discover(_ peer: PID) -> [Effect] {
        var effects: [Effect] = [.send(.tuple(["$gen_cast", .tuple(["sync", .pid(me), localGroups])]), to: peer)]
        if remote[peer] == nil {
            remote[peer] = [:]
            effects += [.monitor(peer), .send(.tuple(["discover", .pid(me)]), to: peer)]
        }
        return effects
    }

    /// What a peer reported replaces what was known of it.
    private mutating func sync(_ peer: PID, _ groups: [(Term, [PID])]) -> [Effect] {
        var effects: [Effect] = []
        var old =
            remote[peer]
            ?? {
                effects.append(.monitor(peer))
                return [:]
            }()
        var new: [Term: [PID]] = [:]
        for (group, pids) in groups {
            new[group, default: []] += pids
            let before = old.removeValue(forKey: group) ?? []
            guard before != pids else { continue }
            let gone = Self.removing(pids, from: before)
            let added = Self.removing(before, from: pids)
            if !gone.isEmpty {
                removeFromTable(group, gone, local: false)
                effects.append(.changed(.leave(group: group, pids: gone)))
            }
            if !added.isEmpty {
                var entry = table[group] ?? Members()
                entry.all.insert(contentsOf: added, at: 0)
                table[group] = entry
                effects.append(.changed(.join(group: group, pids: added)))
            }
        }
        for (group, pids) in old where !pids.isEmpty {
            removeFromTable(group, pids, local: false)
            effects.append(.changed(.leave(group: group, pids: pids)))
        }
        remote[peer] = new
        return effects
    }

    /// The local members by group, as `sync` carries them.
    private var localGroups: Term {
        var byGroup: [Term: [PID]] = [:]
        var order: [Term] = []
        for (pid, groups) in local.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            for group in groups {
                if byGroup[group] == nil { order.append(group) }
                byGroup[group, default: []].insert(pid, at: 0)
            }
        }
        return .list(order.map { .tuple([$0, .list(byGroup[$0, default: []].map(Term.pid))]) })
    }

    private func broadcast(_ message: Term) -> [Effect] {
        remote.keys.sorted { "\($0)" < "\($1)" }.map { .send(message, to: $0) }
    }

    private mutating func removeFromTable(_ group: Term, _ pids: [PID], local isLocal: Bool) {
        guard var entry = table[group] else { return }
        entry.all = Self.removing(pids, from: entry.all)
        if isLocal { entry.local = Self.removing(pids, from: entry.local) }
        table[group] = entry.all.isEmpty && entry.local.isEmpty ? nil : entry
    }

    /// `list -- pids`: removes one occurrence of each.
    static func removing(_ pids: [PID], from list: [PID]) -> [PID] {
        var result = list
        for pid in pids {
            if let index = result.firstIndex(of: pid) { result.remove(at: index) }
        }
        return result
    }

    static func pids(_ term: Term) -> [PID]? {
        switch term {
        case .pid(let pid): return [pid]
        case .list(let elements):
            var pids: [PID] = []
            for element in elements {
                guard case .pid(let pid) = element else { return nil }
                pids.append(pid)
            }
            return pids
        default: return nil
        }
    }

    static func groupList(_ term: Term) -> [(Term, [PID])]? {
        guard case .list(let elements) = term else { return nil }
        var groups: [(Term, [PID])] = []
        for element in elements {
            guard case .tuple(let pair) = element, pair.count == 2, let pids = pids(pair[1]) else { return nil }
            groups.append((pair[0], pids))
        }
        return groups
    }
}

/// A change in a scope's groups, as `monitor_scope` reports it (`{Ref, join | leave, Group, Pids}`).
public enum ProcessGroupChange: Sendable, Equatable {
    /// `pids` joined `group`.
    case join(group: Term, pids: [PID])
    /// `pids` left `group`.
    case leave(group: Term, pids: [PID])

    /// The group.
    public var group: Term {
        switch self {
        case .join(let group, _), .leave(let group, _): group
        }
    }
}
