import ErlangTerm

/// One partition's table: the entries by key, the keys by process, and the processes its owner
/// watches. A plain value with no locking and no I/O; ``RegistryPartition`` keeps it behind a
/// mutex, and the owner process acts on what its operations return.
///
/// Invariants:
/// - `entries[key]` is never empty; in a unique registry it holds at most one entry.
/// - `keysByProcess[pid][key]` is the number of entries `pid` has under `key` (never zero), and
///   `keysByProcess[pid]` is never empty.
/// - `count` is the number of entries.
/// - every process with entries is in `watched`. A process stays in `watched` after its last entry
///   goes until the owner releases it (``releaseIfIdle(_:)``) or its `DOWN` arrives
///   (``removeAll(of:)``); a registration that finds its process outside `watched` asks the owner
///   to start watching it.
struct RegistryTable: Sendable {
    /// An entry without its key.
    struct Slot: Sendable, Equatable {
        var pid: PID
        var value: Term
    }

    private(set) var entries: [Term: [Slot]] = [:]
    private(set) var keysByProcess: [PID: [Term: Int]] = [:]
    private(set) var watched: Set<PID> = []
    private(set) var count = 0
    /// Set by ``close()``: the registry was stopped; nothing more is accepted.
    private(set) var isClosed = false

    /// Adds an entry. Returns `true` when the owner must start watching `pid`.
    mutating func insert(_ key: Term, pid: PID, value: Term) -> Bool {
        entries[key, default: []].append(Slot(pid: pid, value: value))
        keysByProcess[pid, default: [:]][key, default: 0] += 1
        count += 1
        return watched.insert(pid).inserted
    }

    /// Removes the entries that `pid` has under `key` and whose value satisfies `predicate`.
    /// Returns `true` when that removed `pid`'s last entry here, so that the owner may stop
    /// watching it.
    mutating func remove(_ key: Term, pid: PID, where predicate: (Term) -> Bool = { _ in true }) -> Bool {
        let removed = removeSlots(under: key) { $0.pid == pid && predicate($0.value) }
        guard removed > 0 else { return false }
        forget(key, of: pid, times: removed)
        return keysByProcess[pid] == nil
    }

    /// Removes every entry under `key`, whichever process holds it. Returns the processes that
    /// this left without entries here.
    mutating func removeAll(_ key: Term) -> [PID] {
        guard let slots = entries.removeValue(forKey: key) else { return [] }
        count -= slots.count
        var idle: [PID] = []
        for slot in slots {
            forget(key, of: slot.pid, times: 1)
            if keysByProcess[slot.pid] == nil { idle.append(slot.pid) }
        }
        return idle
    }

    /// Removes every entry of `pid` and stops watching it: its `DOWN` message arrived.
    mutating func removeAll(of pid: PID) {
        watched.remove(pid)
        guard let keys = keysByProcess.removeValue(forKey: pid) else { return }
        for key in keys.keys { removeSlots(under: key) { $0.pid == pid } }
    }

    /// Stops watching `pid` if it has no entries here. Returns `true` when it did, so that the
    /// owner drops its monitor.
    mutating func releaseIfIdle(_ pid: PID) -> Bool {
        guard keysByProcess[pid] == nil else { return false }
        return watched.remove(pid) != nil
    }

    /// Replaces the value of `pid`'s entry under `key` (the first one, in a duplicate table) with
    /// `transform` of it. Returns the new and the old value, or `nil` when `pid` has no entry there.
    mutating func update(_ key: Term, pid: PID, _ transform: (Term) -> Term) -> (new: Term, old: Term)? {
        guard let index = entries.index(forKey: key),
            let slot = entries.values[index].firstIndex(where: { $0.pid == pid })
        else { return nil }
        let old = entries.values[index][slot].value
        let new = transform(old)
        entries.values[index][slot].value = new
        return (new, old)
    }

    /// Empties the table and refuses further registrations.
    mutating func close() {
        self = RegistryTable()
        isClosed = true
    }

    /// Removes the slots under `key` that match, in place; drops the key when none is left.
    /// Returns how many went.
    @discardableResult
    private mutating func removeSlots(under key: Term, where match: (Slot) -> Bool) -> Int {
        guard let index = entries.index(forKey: key) else { return 0 }
        let before = entries.values[index].count
        entries.values[index].removeAll(where: match)
        let after = entries.values[index].count
        if after == 0 { entries.remove(at: index) }
        count -= before - after
        return before - after
    }

    private mutating func forget(_ key: Term, of pid: PID, times: Int) {
        guard let index = keysByProcess.index(forKey: pid), let held = keysByProcess.values[index][key] else { return }
        if held > times {
            keysByProcess.values[index][key] = held - times
        } else {
            keysByProcess.values[index][key] = nil
            if keysByProcess.values[index].isEmpty { keysByProcess.remove(at: index) }
        }
    }
}
