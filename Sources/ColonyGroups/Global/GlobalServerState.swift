import Colony
public import ErlangTerm

/// OTP 25's `global_name_server` as a pure state machine: the connection protocol that merges the
/// name tables of two partitions under a lock (`init_connect`, `init_connect_ack`, `exchange`,
/// `resolved`, `new_nodes`, `in_sync`, `cancel_connect`), the "prevent overlapping partitions"
/// protocol (`lost_connection`, `remove_connection`), and the calls that register names and set
/// locks. It never waits: each input returns ``Directive``s for its shell (``GlobalNames``).
///
/// The locker, global's satellite that locks both partitions before names are exchanged, is
/// ``GlobalLockerState``; messages between the two go through ``Directive/locker(_:)`` and the
/// server's own mailbox, as they do between OTP's two processes.
struct GlobalServerState: Sendable {
    /// What the shell does for the state machine.
    enum Directive: Sendable, Equatable {
        /// `gen_server:cast({global_name_server, Node}, Message)`.
        case cast(Atom, Term)
        /// A plain (volatile) send to `{global_name_server, Node}`.
        case send(Atom, Term)
        /// A message to this server's own mailbox (handled after everything already queued).
        case toSelf(Term)
        /// Answers a call.
        case reply(CallerRef, Term)
        /// Watch a process that holds a name or a lock (its end removes them).
        case watch(PID)
        /// Stop watching it.
        case unwatch(PID)
        /// Start the resolver of a connect session: it compares `names` (the other node's) with
        /// this node's and casts `{exchange_ops, Node, Tag, Ops, Resolved}` back.
        case resolve(node: Atom, tag: Int, names: [GlobalName])
        /// Make sure a connection to `node` is up, then cast it `{in_sync, Me, true}`; if it cannot
        /// be reached, send `{extra_nodedown, Node}` to this server.
        case syncOther(Atom)
        /// Take the connection to `node` down.
        case disconnect(Atom)
        /// A message to the locker.
        case locker(GlobalLockerState.Message)
        /// A name was registered or removed here.
        case changed(GlobalNameChange)
        /// Something an operator should see.
        case warning(String)
    }

    /// What global keeps per node during a connect session (OTP keeps it in the process
    /// dictionary).
    struct Session: Sendable, Equatable {
        var myTag: Int?
        var hisTag: Term?
        var protocolVersion: Int?
        var waitLock: WaitLock?
        var savedOps: SavedOps?
        var preConnect: PreConnect?
        var lockID: Term?
    }

    enum WaitLock: Sendable, Equatable {
        case exchange([GlobalName])
        case lockIsSet
    }

    enum SavedOps: Sendable, Equatable {
        case resolved(hisKnown: [Term], hisResolved: [Term])
        case ops([Term])
    }

    struct PreConnect: Sendable, Equatable {
        var version: Int
        var initMessage: Term
        var hisTag: Term
    }

    struct Syncer: Sendable, Equatable {
        var caller: CallerRef
        var waiting: Set<Atom>
    }

    /// Why a node is being forgotten (`handle_nodedown/3`'s `What`).
    enum NodeDownKind: Sendable {
        case disconnected
        case removeConnection
        case ignoreNode
    }

    let me: Atom
    /// The locker's pid (this server's own process).
    let locker: PID
    /// `prevent_overlapping_partitions` (on by default in OTP 25).
    let preventOverlappingPartitions: Bool
    /// This incarnation's extended creation, carried in `lost_connection`.
    let extendedCreation: Int

    var table = GlobalNameTable()
    /// Known nodes: the ones whose names are merged with ours, with their protocol version.
    private(set) var known: [Atom: Int] = [:]
    /// Nodes with a connect session under way, with the version they announced.
    private(set) var pending: [Atom: Int] = [:]
    private(set) var removing: Set<Atom> = []
    private(set) var connections: [Atom: Int] = [:]
    /// Visible nodes whose connection went down and has not come up again: a name held by one of
    /// their processes is not taken from a third node's exchange (see ``doOps(_:from:extraInfo:joining:)``).
    private(set) var departed: Set<Atom> = []
    private(set) var synced: [Atom] = []
    private(set) var sessions: [Atom: Session] = [:]
    /// The live resolver of each node's session, by its session tag.
    private(set) var resolvers: [Atom: Int] = [:]
    private var syncers: [Int: Syncer] = [:]
    private var nextSyncer = 0
    private var lostConnections: [LostConnectionKey: (creation: Term, operation: Term)] = [:]
    /// `erlang:unique_integer([monotonic])`.
    private var uniqueCounter = 0

    struct LostConnectionKey: Hashable, Sendable {
        var reporter: Atom
        var lost: Atom
    }

    init(me: Atom, locker: PID, preventOverlappingPartitions: Bool, extendedCreation: Int) {
        self.me = me
        self.locker = locker
        self.preventOverlappingPartitions = preventOverlappingPartitions
        self.extendedCreation = extendedCreation
    }

    /// The known nodes, as `get_known` answers.
    var knownNodes: [Atom] { known.keys.sorted() }

    mutating func unique() -> Int {
        uniqueCounter += 1
        return uniqueCounter
    }

    func session(_ node: Atom) -> Session { sessions[node] ?? Session() }

    mutating func update(_ node: Atom, _ change: (inout Session) -> Void) {
        var session = sessions[node] ?? Session()
        change(&session)
        sessions[node] = session == Session() ? nil : session
    }

    /// `reset_node_state/1`.
    mutating func resetNodeState(_ node: Atom) { sessions[node] = nil }

    /// `node_vsn/2`.
    func nodeVersion(_ node: Atom) -> Int {
        if node == me { return GlobalProtocol.version }
        return known[node] ?? pending[node] ?? 0
    }

    /// `mk_known_list/2`: the known nodes, with versions for a peer that reads them.
    func knownList(for version: Int) -> [Term] {
        known.sorted { $0.key < $1.key }.map { entry in
            version < GlobalProtocol.propagateVersionsVersion
                ? .atom(entry.key) : .tuple([.atom(entry.key), .integer(entry.value)])
        }
    }

    /// `add_to_known/2`: adds nodes (bare or `{Node, Vsn}`); returns those that are new.
    mutating func addToKnown(_ nodes: [Term]) -> [Atom] {
        var added: [Atom] = []
        for term in nodes {
            let (node, version): (Atom, Int)
            switch term {
            case .atom(let n): (node, version) = (n, 0)
            case .tuple(let t) where t.count == 2:
                guard case .atom(let n) = t[0], case .integer(let v) = t[1] else { continue }
                (node, version) = (n, v)
            default: continue
            }
            guard node != me else { continue }
            if let existing = known[node] {
                if existing < 0 { known[node] = version }
            } else {
                added.append(node)
                known[node] = version
            }
        }
        return added
    }

    /// `make_node_vsn_list/2`.
    func nodeVersionList(_ nodes: [Term]) -> [Term] {
        nodes.compactMap { term in
            switch term {
            case .atom(let n): return .tuple([.atom(n), .integer(nodeVersion(n))])
            case .tuple(let t) where t.count == 2:
                guard case .atom(let n) = t[0], case .integer(let v) = t[1] else { return nil }
                return v == 0 ? .tuple([.atom(n), .integer(nodeVersion(n))]) : term
            default: return nil
            }
        }
    }

    static func nodeNames(_ nodes: [Term]) -> [Atom] {
        nodes.compactMap { term in
            if case .atom(let n) = term { return n }
            if case .tuple(let t) = term, t.count == 2, case .atom(let n) = t[0] { return n }
            return nil
        }
    }

    // MARK: - Syncers (global:sync/0,1)

    mutating func startSync(_ nodes: [Atom], caller: CallerRef) -> [Directive] {
        let waiting = Set(nodes).subtracting([me]).subtracting(synced).intersection(connections.keys)
        if waiting.isEmpty { return [.reply(caller, "ok")] }
        syncers[nextSyncer] = Syncer(caller: caller, waiting: waiting)
        nextSyncer += 1
        return []
    }

    /// Syncers hear that `nodes` are synced, or gone.
    mutating func syncersDone(_ nodes: [Atom]) -> [Directive] {
        var directives: [Directive] = []
        for (id, var syncer) in syncers {
            syncer.waiting.subtract(nodes)
            if syncer.waiting.isEmpty {
                syncers[id] = nil
                directives.append(.reply(syncer.caller, "ok"))
            } else {
                syncers[id] = syncer
            }
        }
        return directives
    }

    // MARK: - Lost connections

    func lostConnection(_ key: LostConnectionKey) -> (creation: Term, operation: Term)? { lostConnections[key] }

    mutating func saveLostConnection(_ key: LostConnectionKey, creation: Term, operation: Term) {
        lostConnections[key] = (creation, operation)
    }

    // MARK: - Small mutators used by the protocol extensions

    mutating func setPending(_ node: Atom, _ version: Int?) { pending[node] = version }
    mutating func setKnown(_ node: Atom, _ version: Int?) { known[node] = version }
    mutating func setRemoving(_ node: Atom, _ on: Bool) {
        if on { removing.insert(node) } else { removing.remove(node) }
    }
    mutating func setConnection(_ node: Atom, _ id: Int?) {
        connections[node] = id
        if id == nil { departed.insert(node) } else { departed.remove(node) }
    }
    mutating func setResolver(_ node: Atom, _ tag: Int?) { resolvers[node] = tag }
    mutating func markSynced(_ node: Atom) { if !synced.contains(node) { synced.insert(node, at: 0) } }
    mutating func unmarkSynced(_ node: Atom) { synced.removeAll { $0 == node } }
}

/// A change to the global names as seen on one node.
public enum GlobalNameChange: Sendable, Equatable {
    /// `name` now refers to `pid`.
    case registered(Term, PID)
    /// `name` (which referred to `pid`) is gone.
    case unregistered(Term, PID)
}
