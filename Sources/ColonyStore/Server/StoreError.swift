public import ErlangTerm

/// Why a store operation failed.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No leader with a majority answered in time: the operation may or may not have been applied
    /// (a write that reached the old leader may still commit).
    case noQuorum
    /// No table of that name.
    case noTable(String)
    /// A compare-and-set found another value (`nil`: none).
    case mismatch(current: Term?)
    /// A transaction kept conflicting with concurrent writes and gave up after its retries.
    case conflict
    /// The table exists already.
    case alreadyExists(String)
    /// The leader has too many uncommitted entries; try again later.
    case overloaded
    /// The index lookup names a field the table does not index.
    case noIndex(String)
    /// The store's server is not running on this node.
    case notRunning
    /// The server answered something this client does not understand.
    case unexpected(Term)

    public var description: String {
        switch self {
        case .noQuorum: "no quorum: the store's majority did not answer in time"
        case .noTable(let name): "no table named \(name)"
        case .mismatch(let current): "compare-and-set mismatch, current value \(current?.description ?? "none")"
        case .conflict: "the transaction conflicted with concurrent writes on every retry"
        case .alreadyExists(let name): "table \(name) exists already"
        case .overloaded: "the store's leader is overloaded"
        case .noIndex(let field): "the table has no index on \(field)"
        case .notRunning: "the store is not running on this node"
        case .unexpected(let term): "unexpected answer from the store: \(term)"
        }
    }

    /// The error an answer `{error, Reason}` stands for, or `nil` if it is not one.
    init?(answer: Term) {
        guard case .tuple(let parts) = answer, parts.count == 2, parts[0] == "error" else { return nil }
        switch parts[1] {
        case "no_quorum": self = .noQuorum
        case "conflict": self = .conflict
        case "already_exists": self = .alreadyExists("")
        case "overloaded": self = .overloaded
        case .tuple(let reason) where reason.count == 2 && reason[0] == "no_table":
            self = .noTable(reason[1].stringValue ?? reason[1].description)
        case .tuple(let reason) where reason.count == 2 && reason[0] == "mismatch":
            self = .mismatch(current: reason[1] == "not_found" ? nil : reason[1])
        case .tuple(let reason) where reason.count == 2 && reason[0] == "no_index":
            self = .noIndex(reason[1].atomValue?.name ?? reason[1].description)
        default: self = .unexpected(answer)
        }
    }
}
