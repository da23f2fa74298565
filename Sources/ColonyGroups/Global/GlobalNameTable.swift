public import ErlangTerm

/// One globally registered name: the process and the resolve method `global` calls on a clash
/// (kept as the term it came as, so it goes back to Erlang nodes unchanged).
public struct GlobalName: Sendable, Hashable {
    /// The name.
    public var name: Term
    /// The process registered under it.
    public var pid: PID
    /// The resolve method (`fun global:random_exit_name/3` unless the registrar chose another).
    public var method: Term

    /// A registration from its parts.
    public init(name: Term, pid: PID, method: Term) {
        self.name = name
        self.pid = pid
        self.method = method
    }

    /// `{Name, Pid, Method}`, as names travel in `exchange` and in `insert` operations.
    var term: Term { .tuple([name, .pid(pid), method]) }

    /// Reads `{Name, Pid, Method}`.
    init?(_ term: Term) {
        guard case .tuple(let t) = term, t.count == 3, case .pid(let pid) = t[1] else { return nil }
        self.init(name: t[0], pid: pid, method: t[2])
    }
}

/// The names and locks one `global_name_server` holds (OTP's `global_names`, `global_locks` and
/// their pid indexes), as a value: what `register`, `set_lock`, a `DOWN` and the name exchange
/// change.
///
/// A lock is held on a resource id by one requester id (`{ResourceId, LockRequesterId}`), by one
/// or more processes. A process that holds a name or a lock is watched; when it ends, all it held
/// goes (``processDown(_:)``).
struct GlobalNameTable: Sendable {
    struct Lock: Sendable, Equatable {
        var requester: Term
        var holders: [PID]
    }

    private(set) var names: [Term: GlobalName] = [:]
    private(set) var namesOf: [PID: Set<Term>] = [:]
    private(set) var locks: [Term: Lock] = [:]
    private(set) var locksOf: [PID: Set<Term>] = [:]
    /// The `global` lock was last removed because its holder went down (OTP's `global_lock_down`).
    private(set) var globalLockDown = false

    /// What a change asks the shell to do about watching processes.
    enum Watch: Sendable, Equatable {
        case watch(PID)
        case unwatch(PID)
    }

    func isWatched(_ pid: PID) -> Bool { namesOf[pid] != nil || locksOf[pid] != nil }

    /// The processes of `node` that hold a name or a lock, in a stable order.
    func watchedProcesses(on node: Atom) -> [PID] {
        Set(namesOf.keys.filter { $0.node == node } + locksOf.keys.filter { $0.node == node })
            .sorted { Term.compare(.pid($0), .pid($1)) < 0 }
    }

    // MARK: - Names

    func whereis(_ name: Term) -> PID? { names[name]?.pid }

    /// Registers (or re-registers) `name`; returns the watches to apply and the replaced entry.
    mutating func insert(_ entry: GlobalName) -> (watches: [Watch], replaced: GlobalName?) {
        var watches: [Watch] = []
        let replaced = names[entry.name]
        if let replaced { watches += remove(replaced) }
        let wasWatched = isWatched(entry.pid)
        names[entry.name] = entry
        namesOf[entry.pid, default: []].insert(entry.name)
        if !wasWatched { watches.append(.watch(entry.pid)) }
        return (Self.net(watches), replaced)
    }

    /// Removes `name`; returns the watches to apply and the entry removed.
    mutating func delete(_ name: Term) -> (watches: [Watch], removed: GlobalName?) {
        guard let entry = names[name] else { return ([], nil) }
        return (remove(entry), entry)
    }

    private mutating func remove(_ entry: GlobalName) -> [Watch] {
        names[entry.name] = nil
        namesOf[entry.pid]?.remove(entry.name)
        if namesOf[entry.pid]?.isEmpty == true { namesOf[entry.pid] = nil }
        return isWatched(entry.pid) ? [] : [.unwatch(entry.pid)]
    }

    /// A watch followed by an unwatch of the same process cancel out (and the reverse).
    private static func net(_ watches: [Watch]) -> [Watch] {
        var result: [Watch] = []
        for watch in watches {
            switch watch {
            case .watch(let pid) where result.last == .unwatch(pid): result.removeLast()
            case .unwatch(let pid) where result.last == .watch(pid): result.removeLast()
            default: result.append(watch)
            }
        }
        return result
    }

    // MARK: - Locks

    /// Whether `id` (`{ResourceId, LockRequesterId}`) could be set now (`can_set_lock/1`).
    func canSetLock(_ id: Term) -> Bool {
        guard let (resource, requester) = Self.lockParts(id) else { return false }
        guard let lock = locks[resource] else { return true }
        return lock.requester == requester
    }

    /// Whether someone holds the lock on `resource`.
    func isLockSet(_ resource: Term) -> Bool { locks[resource] != nil }

    /// The `global` lock's requester id, if it is set.
    var globalLockRequester: Term? { locks[GlobalProtocol.globalResource]?.requester }

    /// The processes holding the lock on `resource`.
    func holders(of resource: Term) -> [PID] { locks[resource]?.holders ?? [] }

    /// `handle_set_lock/3`: `pid` takes `id`; `false` when another requester holds the resource.
    mutating func setLock(_ id: Term, by pid: PID) -> (granted: Bool, watches: [Watch]) {
        guard let (resource, requester) = Self.lockParts(id), canSetLock(id) else { return (false, []) }
        var lock = locks[resource] ?? Lock(requester: requester, holders: [])
        if lock.holders.contains(pid) { return (true, []) }
        let wasWatched = isWatched(pid)
        lock.holders.insert(pid, at: 0)
        locks[resource] = lock
        locksOf[pid, default: []].insert(resource)
        return (true, wasWatched ? [] : [.watch(pid)])
    }

    /// `handle_del_lock/3`: `pid` lets go of `id`.
    mutating func deleteLock(_ id: Term, by pid: PID) -> [Watch] {
        guard let (resource, requester) = Self.lockParts(id), let lock = locks[resource], lock.requester == requester
        else { return [] }
        return release(resource, by: pid, down: false)
    }

    private mutating func release(_ resource: Term, by pid: PID, down: Bool) -> [Watch] {
        guard var lock = locks[resource] else { return [] }
        lock.holders.removeAll { $0 == pid }
        if lock.holders.isEmpty {
            locks[resource] = nil
            if resource == GlobalProtocol.globalResource { globalLockDown = down }
        } else {
            locks[resource] = lock
        }
        locksOf[pid]?.remove(resource)
        if locksOf[pid]?.isEmpty == true { locksOf[pid] = nil }
        return isWatched(pid) ? [] : [.unwatch(pid)]
    }

    // MARK: - Processes going down

    /// A watched process ended (or its node went): its locks and names go. Returns the names
    /// removed.
    mutating func processDown(_ pid: PID) -> [GlobalName] {
        for resource in locksOf[pid] ?? [] { _ = release(resource, by: pid, down: true) }
        var removed: [GlobalName] = []
        for name in namesOf[pid] ?? [] {
            if let entry = names[name] {
                removed.append(entry)
                _ = remove(entry)
            }
        }
        return removed
    }

    /// Every name, in a stable order.
    var all: [GlobalName] { names.values.sorted { Term.compare($0.name, $1.name) < 0 } }

    static func lockParts(_ id: Term) -> (Term, Term)? {
        guard case .tuple(let t) = id, t.count == 2 else { return nil }
        return (t[0], t[1])
    }
}
