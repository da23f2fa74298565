import Colony
import ErlangTerm

/// OTP 25's global locker as a pure state machine. When a node connects, the locker of each side
/// locks its own partition (every node it knows) with a lock id both share,
/// `{global, lists:sort([LockerA, LockerB])}`, locking the other side's node too so that two
/// partitions cannot deadlock; both then tell their name servers (`lock_is_set`), and the lock is
/// held until the server cancels the session (after names are merged, or on a failure).
///
/// Locking is a few rounds of `set_lock` calls to name servers (the "boss", the largest node
/// name, first); the state machine issues them as ``Directive/call(token:node:request:)`` and
/// goes on when every answer (or the node's loss) is in. Like OTP's process, it takes the messages
/// it is not ready for later: a `cancel` for another session waits while it holds a lock.
struct GlobalLockerState: Sendable {
    /// Messages from the name server (and, through it, from other nodes' lockers).
    enum Message: Sendable, Equatable {
        /// A connect session began: `locker` is the other node's locker.
        case hisTheLocker(PID, version: Int, hisTag: Term, myTag: Int)
        /// End the session with `node` (tag `nil`: none known); the casts run first (OTP's
        /// `{cancel, Node, Tag, Fun}`; `nil` is `no_fun`).
        case cancel(Atom, tag: Int?, casts: [Cast]?)
        /// The other node's locker has (or has not) locked its partition.
        case lockSet(PID, isSet: Bool, myTag: Term?)
        case addToKnown([Atom])
        case removeFromKnown(Atom)
    }

    /// A cast the locker makes on the server's behalf before it lets a lock go (`new_nodes`).
    struct Cast: Sendable, Equatable {
        var node: Atom
        var message: Term
    }

    /// What the shell does for the locker.
    enum Directive: Sendable, Equatable {
        /// `{'$gen_call', {Locker, Tag}, Request}` to the name server at `node`; answer with
        /// ``GlobalLockerState/replied(token:node:reply:canSetLock:)`` or
        /// ``GlobalLockerState/failed(token:node:canSetLock:)``.
        case call(token: Int, node: Atom, request: Term)
        /// `gen_server:cast({global_name_server, Node}, Message)`.
        case cast(Atom, Term)
        /// A plain message to a process.
        case send(PID, Term)
        /// Deliver ``GlobalLockerState/timeout(_:canSetLock:globalLockSet:)`` with this generation
        /// after the delay.
        case arm(generation: Int, after: Duration)
    }

    /// Another node's locker this one may lock with (`#him{}`).
    struct Him: Sendable, Equatable {
        var node: Atom
        var locker: PID
        var version: Int
        var myTag: Int
        var hisTag: Term
    }

    enum Purpose: Sendable, Equatable {
        /// The other locker locked first and asked; this one locks its partition in answer.
        case answer(PID, myTag: Int, hisTag: Term)
        /// This locker chose `him` and locks first.
        case initiate(Him)
    }

    struct Run: Sendable, Equatable {
        enum Step: Sendable, Equatable { case boss, own, known }
        var lockID: Term
        var extra: [Atom]
        var purpose: Purpose
        var step: Step
        var first: [Atom] = []
        var second: [Atom] = []
        /// The `set_lock` round under way.
        var token: Int
        var asked: [Atom]
        var waiting: Set<Atom>
        var replies: [(Atom, Bool)] = []

        static func == (lhs: Run, rhs: Run) -> Bool {
            lhs.lockID == rhs.lockID && lhs.token == rhs.token && lhs.step == rhs.step
        }
    }

    enum Mode: Sendable, Equatable {
        case idle
        case locking(Run)
        case awaitingLockSet(Him, known: [Atom], lockID: Term)
        case awaitingCancel(Atom, myTag: Int, known: [Atom], lockID: Term, then: Purpose)
    }

    let me: Atom
    let pid: PID
    private(set) var local: [Him] = []
    private(set) var remote: [Him] = []
    private(set) var known: [Atom] = []
    private(set) var boss: Atom
    private var justSynced = false
    private var queue: [Message] = []
    private(set) var mode: Mode = .idle
    private var random: SeededRandom
    private var nextToken = 0
    private var generation = 0

    init(me: Atom, pid: PID, seed: UInt64) {
        self.me = me
        self.pid = pid
        boss = me
        random = SeededRandom(seed: seed)
    }

    // MARK: - Inputs

    /// A message from the server.
    mutating func receive(_ message: Message, canSetLock: (Term) -> Bool, globalLockSet: Bool) -> [Directive] {
        queue.append(message)
        return run(canSetLock: canSetLock)
    }

    /// The answer to a `set_lock` call.
    mutating func replied(token: Int, node: Atom, reply: Term, canSetLock: (Term) -> Bool) -> [Directive] {
        guard case .locking(var run) = mode, run.token == token, run.waiting.remove(node) != nil else { return [] }
        run.replies.append((node, reply == "true"))
        mode = .locking(run)
        return run.waiting.isEmpty ? roundDone(canSetLock: canSetLock) : []
    }

    /// A called node went down before answering: it does not count (`multi_call`'s bad nodes).
    mutating func failed(token: Int, node: Atom, canSetLock: (Term) -> Bool) -> [Directive] {
        guard case .locking(var run) = mode, run.token == token, run.waiting.remove(node) != nil else { return [] }
        mode = .locking(run)
        return run.waiting.isEmpty ? roundDone(canSetLock: canSetLock) : []
    }

    /// The idle timer of `generation` fired.
    mutating func timeout(_ generation: Int, canSetLock: (Term) -> Bool, globalLockSet: Bool) -> [Directive] {
        guard generation == self.generation, mode == .idle, queue.isEmpty else { return [] }
        if globalLockSet { return arm() }
        return selectNode(canSetLock: canSetLock)
    }

    // MARK: - The loop

    /// Handles queued messages as far as the current mode allows, then arms the idle timer.
    private mutating func run(canSetLock: (Term) -> Bool) -> [Directive] {
        var directives: [Directive] = []
        while true {
            switch mode {
            case .idle:
                guard !queue.isEmpty else { return directives + arm() }
                directives += idleMessage(queue.removeFirst(), canSetLock: canSetLock)
            case .locking:
                return directives
            case .awaitingLockSet(let him, let known1, let lockID):
                guard let index = queue.firstIndex(where: { Self.concernsLockSet($0, him: him) }) else {
                    return directives
                }
                directives += lockSetAnswer(queue.remove(at: index), him: him, known: known1, lockID: lockID)
            case .awaitingCancel(let node, let myTag, let known1, let lockID, let then):
                guard
                    let index = queue.firstIndex(where: {
                        if case .cancel(node, tag: myTag, _) = $0 { return true }
                        return false
                    }), case .cancel(_, _, let casts) = queue.remove(at: index)
                else { return directives }
                directives += (casts ?? []).map { .cast($0.node, $0.message) }
                directives += deleteGlobalLock(lockID, on: known1)
                justSynced = true
                switch then {
                case .answer(let other, let tag, _): removeNode(other.node, tag: tag)
                case .initiate(let him):
                    local.removeAll { $0 == him }
                    remote.removeAll { $0 == him }
                }
                mode = .idle
            }
        }
    }

    private mutating func arm() -> [Directive] {
        generation += 1
        let delay: Duration
        if local.isEmpty && remote.isEmpty {
            justSynced = false
            return []
        } else if justSynced {
            delay = .zero
        } else if known.isEmpty {
            delay = .milliseconds(200)
        } else {
            delay = .milliseconds(min(1000 + 100 * known.count, 3000))
        }
        justSynced = false
        return [.arm(generation: generation, after: delay)]
    }

    private mutating func idleMessage(_ message: Message, canSetLock: (Term) -> Bool) -> [Directive] {
        switch message {
        case .hisTheLocker(let locker, let version, let hisTag, let myTag):
            let him = Him(node: locker.node, locker: locker, version: version, myTag: myTag, hisTag: hisTag)
            if Self.host(of: him.node) == Self.host(of: me) {
                local.insert(him, at: 0)
            } else {
                remote.insert(him, at: 0)
            }
        case .cancel(let node, let tag?, nil):
            removeNode(node, tag: tag)
        case .cancel:
            break
        case .lockSet(_, false, _):
            break
        case .lockSet(let other, true, let tag):
            guard let him = findNode(other.node), tag == nil || tag == .integer(him.myTag) else {
                return [.send(other, .tuple(["lock_set", .pid(pid), "false", .list(known.map(Term.atom))]))]
            }
            return startRun(
                lockID: lockID(with: other), extra: [], purpose: .answer(other, myTag: him.myTag, hisTag: him.hisTag),
                canSetLock: canSetLock)
        case .addToKnown(let nodes):
            known = nodes + known
            boss = ([me] + known).max() ?? me
        case .removeFromKnown(let node):
            if let index = known.firstIndex(of: node) { known.remove(at: index) }
            boss = ([me] + known).max() ?? me
        }
        return []
    }

    private mutating func selectNode(canSetLock: (Term) -> Bool) -> [Directive] {
        let useRemote = local.isEmpty
        let others = (useRemote ? remote : local).filter { !known.contains($0.node) }
        if useRemote { remote = others } else { local = others }
        guard !others.isEmpty else { return arm() }
        let him = others[Int(random.next() % UInt64(others.count))]
        return startRun(
            lockID: lockID(with: him.locker), extra: [him.node], purpose: .initiate(him), canSetLock: canSetLock)
    }

    // MARK: - Locking the partition (lock_nodes_safely/3)

    private mutating func startRun(lockID: Term, extra: [Atom], purpose: Purpose, canSetLock: (Term) -> Bool)
        -> [Directive]
    {
        let first = [boss]
        guard first == [me] || canSetLock(lockID) else { return finish(false, lockID: lockID, purpose: purpose) }
        var run = Run(lockID: lockID, extra: extra, purpose: purpose, step: .boss, token: 0, asked: [], waiting: [])
        run.first = first
        return setLock(run, on: first, canSetLock: canSetLock)
    }

    /// One `set_lock(Id, Nodes, 0)` round.
    private mutating func setLock(_ run: Run, on nodes: [Atom], canSetLock: (Term) -> Bool) -> [Directive] {
        var run = run
        nextToken += 1
        run.token = nextToken
        run.asked = nodes
        run.waiting = Set(nodes)
        run.replies = []
        mode = .locking(run)
        if nodes.isEmpty { return roundDone(canSetLock: canSetLock) }
        // Probing the local lock first spares the other nodes a round that cannot succeed.
        if nodes.count > 1, nodes.contains(me), !canSetLock(run.lockID) {
            run.waiting = []
            run.replies = [(me, false), (me, false)]
            mode = .locking(run)
            return roundDone(canSetLock: canSetLock)
        }
        let request: Term = .tuple(["set_lock", run.lockID])
        return nodes.map { .call(token: run.token, node: $0, request: request) }
    }

    private mutating func roundDone(canSetLock: (Term) -> Bool) -> [Directive] {
        guard case .locking(var run) = mode else { return [] }
        var directives: [Directive] = []
        var granted = true
        if run.replies.contains(where: { !$0.1 }) {
            granted = false
            if run.replies.count > 1 {
                directives += delLock(run.lockID, on: run.replies.filter(\.1).map(\.0))
            }
        }
        switch (run.step, granted) {
        case (.boss, true):
            run.second = ([me] + run.extra).filter { !run.first.contains($0) }
            run.step = .own
            return directives + setLock(run, on: run.second, canSetLock: canSetLock)
        case (.own, true):
            run.step = .known
            return directives + setLock(run, on: known.filter { !run.first.contains($0) }, canSetLock: canSetLock)
        case (.known, true):
            return directives + finish(true, lockID: run.lockID, purpose: run.purpose)
        case (.boss, false):
            return directives + finish(false, lockID: run.lockID, purpose: run.purpose)
        case (.own, false):
            directives += delLock(run.lockID, on: run.first)
            return directives + finish(false, lockID: run.lockID, purpose: run.purpose)
        case (.known, false):
            directives += delLock(run.lockID, on: run.first + run.second)
            return directives + finish(false, lockID: run.lockID, purpose: run.purpose)
        }
    }

    private mutating func finish(_ locked: Bool, lockID: Term, purpose: Purpose) -> [Directive] {
        var directives: [Directive] = []
        mode = .idle
        switch purpose {
        case .answer(let other, let myTag, let hisTag):
            directives.append(lockSetMessage(locked, to: other, hisTag: hisTag))
            if locked {
                directives.append(.cast(me, .tuple(["lock_is_set", .atom(other.node), .integer(myTag), lockID])))
                mode = .awaitingCancel(other.node, myTag: myTag, known: [me] + known, lockID: lockID, then: purpose)
            } else {
                justSynced = false
            }
        case .initiate(let him):
            if locked {
                directives.append(lockSetMessage(true, to: him.locker, hisTag: him.hisTag))
                mode = .awaitingLockSet(him, known: [me, him.node] + known, lockID: lockID)
            }
        }
        return directives + run(canSetLock: { _ in false })
    }

    private static func concernsLockSet(_ message: Message, him: Him) -> Bool {
        switch message {
        case .lockSet(let other, _, _): other.node == him.node
        case .cancel(let node, let tag, _): node == him.node && tag == him.myTag
        default: false
        }
    }

    /// `lock_is_set/5`: what the other locker answered after this one locked first.
    private mutating func lockSetAnswer(_ message: Message, him: Him, known known1: [Atom], lockID: Term) -> [Directive]
    {
        switch message {
        case .lockSet(_, let isSet, let tag):
            guard tag == nil || tag == .integer(him.myTag) else { return [] }
            if isSet {
                mode = .awaitingCancel(him.node, myTag: him.myTag, known: known1, lockID: lockID, then: .initiate(him))
                return [.cast(me, .tuple(["lock_is_set", .atom(him.node), .integer(him.myTag), lockID]))]
            }
            mode = .idle
            return deleteGlobalLock(lockID, on: known1)
        case .cancel(let node, let tag, let casts):
            mode = .idle
            let directives = (casts ?? []).map { Directive.cast($0.node, $0.message) }
            if let tag { removeNode(node, tag: tag) }
            return directives + deleteGlobalLock(lockID, on: known1)
        default:
            return []
        }
    }

    // MARK: - Helpers

    private func lockSetMessage(_ locked: Bool, to other: PID, hisTag: Term) -> Directive {
        .cast(
            other.node,
            .tuple(["lock_set", .pid(pid), locked ? "true" : "false", .list(known.map(Term.atom)), hisTag]))
    }

    /// `{global, lists:sort([self(), Pid])}`.
    private func lockID(with other: PID) -> Term {
        let pair = [Term.pid(pid), .pid(other)].sorted { Term.compare($0, $1) < 0 }
        return .tuple([GlobalProtocol.globalResource, .list(pair)])
    }

    private mutating func delLock(_ lockID: Term, on nodes: [Atom]) -> [Directive] {
        guard !nodes.isEmpty else { return [] }
        nextToken += 1
        return nodes.map { .call(token: nextToken, node: $0, request: .tuple(["del_lock", lockID])) }
    }

    /// `delete_global_lock/2`: every node but the boss, then the boss.
    private mutating func deleteGlobalLock(_ lockID: Term, on nodes: [Atom]) -> [Directive] {
        guard let boss = nodes.max() else { return [] }
        var others = nodes
        if let index = others.firstIndex(of: boss) { others.remove(at: index) }
        return delLock(lockID, on: others) + delLock(lockID, on: [boss])
    }

    private func findNode(_ node: Atom) -> Him? {
        local.first { $0.node == node } ?? remote.first { $0.node == node }
    }

    private mutating func removeNode(_ node: Atom, tag: Int) {
        if let index = local.firstIndex(where: { $0.node == node && $0.myTag == tag }) { local.remove(at: index) }
        if let index = remote.firstIndex(where: { $0.node == node && $0.myTag == tag }) { remote.remove(at: index) }
    }

    static func host(of node: Atom) -> Substring {
        node.name.split(separator: "@", maxSplits: 1).last ?? ""
    }
}
