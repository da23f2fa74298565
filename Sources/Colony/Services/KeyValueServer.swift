public import ErlangTerm

/// A key-value server that speaks the protocol of the guide's `GlobalStateManager`, so any OTP
/// node can `GenServer.call({:kv, node}, request)` it. Keys and values are any terms.
///
/// | request | reply |
/// |---|---|
/// | `{get, Key}` | the value, or `nil` |
/// | `{put, Key, Value}` | `ok` |
/// | `{delete, Key}` | `ok` |
/// | `get_all` | a map of every key and value |
///
/// The same `put` and `delete` requests are accepted as casts. Any other call gets
/// `{error, {unknown_request, Request}}`. `colony node` runs one registered as `kv`.
public struct KeyValueServer: GenServer {
    /// The stored pairs.
    public private(set) var entries: [Term: Term]

    /// A server holding `entries` to begin with.
    public init(_ entries: [Term: Term] = [:]) {
        self.entries = entries
    }

    public mutating func handleCall(_ request: Term, from: CallerRef, process: ProcessContext) async throws
        -> CallResult
    {
        if request == "get_all" { return .reply(.map(TermMap(entries.map { ($0.key, $0.value) }))) }
        if case .tuple(let parts) = request, parts.count == 2, parts[0] == "get" {
            return .reply(entries[parts[1]] ?? .nil)
        }
        if apply(request) { return .reply("ok") }
        return .reply(.tuple(["error", .tuple(["unknown_request", request])]))
    }

    public mutating func handleCast(_ request: Term, process: ProcessContext) async throws -> GenServerAction {
        _ = apply(request)
        return .noReply
    }

    /// Applies `{put, Key, Value}` or `{delete, Key}`; `false` for anything else.
    private mutating func apply(_ request: Term) -> Bool {
        guard case .tuple(let parts) = request else { return false }
        switch parts.count {
        case 3 where parts[0] == "put":
            entries[parts[1]] = parts[2]
            return true
        case 2 where parts[0] == "delete":
            entries[parts[1]] = nil
            return true
        default:
            return false
        }
    }
}
