import DequeModule

/// Which parts of which keys changed, in the order they changed, numbered by a counter that only
/// grows: a peer that has seen everything up to counter `w` is sent exactly the parts changed
/// after `w`, each once, at its latest state.
@usableFromInline
struct ChangeLog: Sendable {
    struct PartRef: Hashable, @unchecked Sendable {
        let key: String
        let part: AnyHashable
    }

    /// The counter of the latest change.
    @usableFromInline private(set) var counter: UInt64 = 0
    /// The counter at which each part last changed.
    private var latest: [PartRef: UInt64] = [:]
    /// Changes in counter order; entries superseded by a later change of the same part are
    /// skipped when read and dropped when the log is compacted.
    private var log: Deque<(counter: UInt64, ref: PartRef)> = []
    /// The last entry's counter is newer than `latest` says (``bumpLast()`` defers that write).
    private var unsettled = false

    /// How many parts are tracked.
    var partCount: Int { latest.count }

    init(counter: UInt64 = 0) { self.counter = counter }

    /// Records that `parts` of `key` changed.
    @usableFromInline
    mutating func record(_ key: String, _ parts: some Sequence<AnyHashable>) {
        settle()
        for part in parts {
            counter += 1
            let ref = PartRef(key: key, part: part)
            // The same part changed again with nothing in between (a hot counter): its log entry
            // moves up instead of leaving a superseded one behind.
            if let previous = latest.updateValue(counter, forKey: ref), let last = log.last, last.counter == previous {
                log[log.count - 1].counter = counter
            } else {
                log.append((counter, ref))
            }
        }
        if log.count > 2 * latest.count + 1024 { compact() }
    }

    /// Records that the part of the last change changed again, nothing else having changed since
    /// (the caller knows: a hot counter updated in a loop), without hashing it: its log entry
    /// takes the new counter, and its entry in `latest` follows before anything reads it.
    /// Returns false (and records nothing) when there is no last change.
    @usableFromInline
    mutating func bumpLast() -> Bool {
        guard !log.isEmpty else { return false }
        counter += 1
        log[log.count - 1].counter = counter
        unsettled = true
        return true
    }

    private mutating func settle() {
        guard unsettled, let last = log.last else { return }
        latest[last.ref] = last.counter
        unsettled = false
    }

    /// The counter at which `part` of `key` last changed, `nil` when it never did (or the key was
    /// deleted).
    func counter(of key: String, _ part: AnyHashable) -> UInt64? {
        let ref = PartRef(key: key, part: part)
        if unsettled, let last = log.last, last.ref == ref { return last.counter }
        return latest[ref]
    }

    /// Forgets every part of `key` (after it was deleted).
    mutating func forget(_ key: String) {
        settle()
        latest = latest.filter { $0.key.key != key }
        compact()
    }

    /// The parts changed after `watermark`, at most `limit` of them, grouped by key, with the
    /// counter they run through and whether that is everything.
    mutating func changes(after watermark: UInt64, limit: Int) -> (
        parts: [String: Set<AnyHashable>], through: UInt64, done: Bool
    ) {
        settle()
        var result: [String: Set<AnyHashable>] = [:]
        var taken = 0
        var index = firstIndex(after: watermark)
        var through = max(watermark, log.first.map { $0.counter - 1 } ?? counter)
        while index < log.count {
            let entry = log[index]
            if latest[entry.ref] == entry.counter {
                if taken == limit { return (result, through, false) }
                result[entry.ref.key, default: []].insert(entry.ref.part)
                taken += 1
            }
            through = entry.counter
            index += 1
        }
        return (result, counter, true)
    }

    private func firstIndex(after watermark: UInt64) -> Int {
        var (low, high) = (0, log.count)
        while low < high {
            let mid = (low + high) / 2
            if log[mid].counter <= watermark { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private mutating func compact() {
        settle()
        log = Deque(log.filter { latest[$0.ref] == $0.counter })
    }
}
