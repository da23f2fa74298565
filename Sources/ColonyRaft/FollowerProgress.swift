/// What the leader knows of one follower's log, and how it sends to it.
///
/// A follower starts in `probe`: one append at a time until one succeeds, then `replicate`:
/// appends are pipelined, up to ``RaftSettings/maxInflightAppends``. A follower whose next entry
/// the leader has compacted away gets the snapshot and waits in `snapshot` for its answer.
struct FollowerProgress: Sendable {
    enum Mode: Hashable, Sendable {
        case probe
        case replicate
        case snapshot(index: LogIndex)
    }

    /// The highest index known to match the leader's log.
    var match: LogIndex = 0
    /// The next index to send.
    var next: LogIndex
    var mode: Mode = .probe
    /// In `probe`, an append is out and unanswered.
    var paused = false
    /// In `replicate`, the last index of each append in flight, oldest first.
    var inflight: [LogIndex] = []
    /// Heard from since the last quorum check.
    var recentlyActive = true
    /// Heartbeats in a row during which appends were in flight and `match` did not move.
    var stalledHeartbeats = 0
    /// Heartbeats since the snapshot went out unanswered.
    var snapshotAge = 0
    /// The highest heartbeat round the follower answered.
    var round: UInt64 = 0

    init(next: LogIndex) { self.next = next }

    mutating func becomeProbe() {
        if case .snapshot(let index) = mode {
            next = max(match + 1, index + 1)
        } else {
            next = match + 1
        }
        mode = .probe
        paused = false
        inflight = []
        stalledHeartbeats = 0
    }

    mutating func becomeReplicate() {
        mode = .replicate
        next = max(next, match + 1)
        paused = false
    }

    /// A success for `index`: true if it moved `match`.
    mutating func acknowledge(_ index: LogIndex) -> Bool {
        inflight.removeAll { $0 <= index }
        guard index > match else { return false }
        match = index
        next = max(next, index + 1)
        stalledHeartbeats = 0
        return true
    }
}
