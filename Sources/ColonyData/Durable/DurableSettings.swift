/// Which keys a ``Replicator`` keeps on disk, and where: an embedded SQLite database (through
/// GRDB) that the replicator writes each durable key's full state to after it changes, and reads
/// back when it starts, so that a node restarted (even after `kill -9`) comes back with its data
/// and then fetches from its peers only what changed meanwhile.
///
/// Writes are batched: the keys changed while the replicator handled a message go to disk in one
/// transaction before it handles the next, in the database's write-ahead log. A process crash
/// loses nothing written; a power cut can lose the last batches (`synchronous=NORMAL`). An
/// update made with ``Consistency/local`` returns before its batch is on disk.
public struct DurableSettings: Sendable, Equatable {
    /// Which keys are durable.
    public enum Keys: Sendable, Equatable {
        /// Every key.
        case all
        /// Keys that start with one of these prefixes.
        case prefixes([String])

        /// Whether `key` is durable.
        public func contains(_ key: String) -> Bool {
            switch self {
            case .all: true
            case .prefixes(let prefixes): prefixes.contains { key.hasPrefix($0) }
            }
        }
    }

    /// The database file (created with its directory when missing).
    public var path: String
    /// Which keys are kept there.
    public var keys: Keys

    /// Keeps `keys` in the database at `path`.
    public init(path: String, keys: Keys = .all) {
        self.path = path
        self.keys = keys
    }
}
