/// A server's log as the state machine sees it: a snapshot's metadata, then the entries after it.
///
/// Also tracks what is stable (on the server's storage): entries through `stableIndex`, and
/// whether stored entries from some index on must be deleted (a conflict with the leader's log).
struct RaftLog: Sendable {
    /// What the compacted prefix stands for.
    private(set) var snapshot: SnapshotMetadata
    /// The entries after `snapshot.index`, in order.
    private(set) var entries: [LogEntry]
    /// The last index written to stable storage.
    private(set) var stableIndex: LogIndex
    /// Stored entries from this index on must be deleted before the unstable ones are written.
    private(set) var truncatedFrom: LogIndex?
    /// Indexes of the configuration entries in `entries`, ascending.
    private var configurationIndexes: [LogIndex]

    init(snapshot: SnapshotMetadata, entries: [LogEntry]) {
        self.snapshot = snapshot
        self.entries = entries
        stableIndex = snapshot.index + LogIndex(entries.count)
        truncatedFrom = nil
        configurationIndexes = entries.compactMap { entry in
            if case .configuration = entry.payload { entry.index } else { nil }
        }
    }

    var firstIndex: LogIndex { snapshot.index + 1 }

    var lastIndex: LogIndex { snapshot.index + LogIndex(entries.count) }

    var lastTerm: RaftTerm { entries.last?.term ?? snapshot.term }

    /// The term of the entry at `index`, or `nil` if it is compacted away (before the snapshot)
    /// or beyond the end.
    func term(at index: LogIndex) -> RaftTerm? {
        if index == snapshot.index { return snapshot.term }
        guard index > snapshot.index, index <= lastIndex else { return nil }
        return entries[Int(index - snapshot.index - 1)].term
    }

    func entry(at index: LogIndex) -> LogEntry {
        entries[Int(index - snapshot.index - 1)]
    }

    /// The entries in `from...through`, all of which must be in the log.
    func entries(from: LogIndex, through: LogIndex) -> ArraySlice<LogEntry> {
        guard from <= through else { return [] }
        let lower = Int(from - snapshot.index - 1)
        let upper = Int(through - snapshot.index - 1)
        return entries[lower...upper]
    }

    /// Entries from `from` on, within the batch limits.
    func batch(from: LogIndex, maxEntries: Int, maxBytes: Int) -> [LogEntry] {
        guard from > snapshot.index, from <= lastIndex else { return [] }
        var batch: [LogEntry] = []
        var bytes = 0
        var index = from
        while index <= lastIndex, batch.count < maxEntries {
            let entry = self.entry(at: index)
            if !batch.isEmpty, bytes + entry.size > maxBytes { break }
            bytes += entry.size
            batch.append(entry)
            index += 1
        }
        return batch
    }

    /// Whether a log ending with `lastIndex` of `lastTerm` is at least as up to date as this one.
    func isUpToDate(lastIndex: LogIndex, lastTerm: RaftTerm) -> Bool {
        lastTerm > self.lastTerm || (lastTerm == self.lastTerm && lastIndex >= self.lastIndex)
    }

    /// The first index of the term of the entry at `index` (a hint for the leader to skip back a
    /// whole term at once).
    func firstIndex(ofTermAt index: LogIndex) -> LogIndex {
        guard let term = term(at: index) else { return index }
        var first = index
        while first > snapshot.index + 1, self.term(at: first - 1) == term { first -= 1 }
        return first
    }

    /// The membership in force: the last configuration entry in the log, or the snapshot's.
    var configuration: RaftConfiguration {
        guard let index = configurationIndexes.last,
            case .configuration(let configuration) = entry(at: index).payload
        else { return snapshot.configuration }
        return configuration
    }

    /// The membership in force at `index` (for a snapshot through `index`).
    func configuration(atOrBefore index: LogIndex) -> RaftConfiguration {
        guard let last = configurationIndexes.last(where: { $0 <= index }),
            case .configuration(let configuration) = entry(at: last).payload
        else { return snapshot.configuration }
        return configuration
    }

    /// The index of the configuration in force (0 if it came with the snapshot at index 0).
    var configurationIndex: LogIndex { configurationIndexes.last ?? snapshot.index }

    mutating func append(_ entry: LogEntry) {
        precondition(entry.index == lastIndex + 1, "log entries must be appended in order")
        entries.append(entry)
        if case .configuration = entry.payload { configurationIndexes.append(entry.index) }
    }

    /// Deletes the entries from `index` on (they conflict with the leader's log).
    mutating func truncate(from index: LogIndex) {
        guard index <= lastIndex else { return }
        precondition(index > snapshot.index, "cannot truncate into the snapshot")
        entries.removeSubrange(Int(index - snapshot.index - 1)...)
        configurationIndexes.removeAll { $0 >= index }
        if index <= stableIndex {
            stableIndex = index - 1
            truncatedFrom = min(truncatedFrom ?? index, index)
        }
    }

    /// The entries not yet on stable storage.
    var unstableEntries: ArraySlice<LogEntry> {
        entries(from: stableIndex + 1, through: lastIndex)
    }

    /// Everything through `index` is now stored, and pending deletions are done.
    mutating func markStable(through index: LogIndex) {
        stableIndex = max(stableIndex, min(index, lastIndex))
        truncatedFrom = nil
    }

    /// Drops the entries through `metadata.index`, which a snapshot of this server now holds.
    mutating func compact(to metadata: SnapshotMetadata) {
        guard metadata.index > snapshot.index else { return }
        let dropped = Int(min(metadata.index, lastIndex) - snapshot.index)
        entries.removeFirst(dropped)
        configurationIndexes.removeAll { $0 <= metadata.index }
        snapshot = metadata
        stableIndex = max(stableIndex, metadata.index)
    }

    /// Replaces the whole log with `metadata`'s snapshot (one received from the leader that does
    /// not match this log).
    mutating func reset(to metadata: SnapshotMetadata) {
        if lastIndex > snapshot.index, stableIndex > snapshot.index {
            truncatedFrom = min(truncatedFrom ?? snapshot.index + 1, snapshot.index + 1)
        }
        snapshot = metadata
        entries = []
        configurationIndexes = []
        stableIndex = metadata.index
    }
}
