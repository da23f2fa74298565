/// One entry of the replicated log.
public struct LogEntry: Hashable, Sendable {
    /// What an entry carries.
    public enum Payload: Hashable, Sendable {
        /// An entry a new leader appends to commit the entries of earlier terms.
        case noop
        /// A command for the replicated state machine, as bytes the application chose.
        case command([UInt8])
        /// A new membership of the group.
        case configuration(RaftConfiguration)
    }

    /// The term of the leader that appended the entry.
    public var term: RaftTerm
    /// The entry's position in the log.
    public var index: LogIndex
    /// What the entry carries.
    public var payload: Payload

    /// An entry at `index` of `term` carrying `payload`.
    public init(term: RaftTerm, index: LogIndex, payload: Payload) {
        self.term = term
        self.index = index
        self.payload = payload
    }

    /// Bytes the entry takes in a batch, roughly (for batching limits).
    var size: Int {
        switch payload {
        case .noop: 24
        case .command(let bytes): 24 + bytes.count
        case .configuration(let configuration): 24 + 16 * configuration.members.count
        }
    }
}

/// What a snapshot stands for: the log up to `index` (of `term`), and the membership at that point.
public struct SnapshotMetadata: Hashable, Sendable {
    /// The last log index the snapshot includes.
    public var index: LogIndex
    /// The term of the entry at `index`.
    public var term: RaftTerm
    /// The membership as of `index`.
    public var configuration: RaftConfiguration

    /// Metadata of a snapshot through `index` of `term`, with `configuration`.
    public init(index: LogIndex, term: RaftTerm, configuration: RaftConfiguration) {
        self.index = index
        self.term = term
        self.configuration = configuration
    }
}

/// A snapshot of the replicated state machine: the application's bytes and what they stand for.
public struct RaftSnapshot: Hashable, Sendable {
    /// What the snapshot includes.
    public var metadata: SnapshotMetadata
    /// The state machine's state, as bytes the application chose.
    public var data: [UInt8]

    /// A snapshot with `metadata` and `data`.
    public init(metadata: SnapshotMetadata, data: [UInt8]) {
        self.metadata = metadata
        self.data = data
    }
}
