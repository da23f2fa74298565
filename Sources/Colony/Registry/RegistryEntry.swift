public import ErlangTerm

extension Registry {
    /// Whether a key names one process or many.
    public enum Keys: Sendable, Hashable {
        /// A key has at most one entry (one process, one value): names, via-naming.
        case unique
        /// A key has any number of entries, even several from one process: pub/sub topics.
        case duplicate
    }

    /// One registration: `pid` registered under `key` with `value`.
    public struct Entry: Sendable, Hashable, CustomStringConvertible {
        /// The key.
        public var key: Term
        /// The registered process.
        public var pid: PID
        /// The value given when registering (or set since by ``Registry/updateValue(_:process:_:)``).
        public var value: Term

        /// An entry.
        public init(key: Term, pid: PID, value: Term) {
            self.key = key
            self.pid = pid
            self.value = value
        }

        public var description: String { "{\(key), \(pid), \(value)}" }
    }
}
