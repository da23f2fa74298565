public import ErlangTerm

/// Who made a call: OTP's `From`, `{Pid, Tag}`. Since OTP 24 the tag is `[alias | Ref]` and the
/// reply goes to the alias, so that a reply arriving after the caller gave up is dropped; an older
/// plain tag gets its reply sent to the pid. ``ProcessContext/reply(to:_:)`` handles both.
public struct CallerRef: Sendable, Hashable, CustomStringConvertible {
    /// The calling process.
    public let pid: PID
    /// The call's tag, echoed in the reply `{Tag, Reply}`.
    public let tag: Term

    /// A caller from its parts.
    public init(pid: PID, tag: Term) {
        self.pid = pid
        self.tag = tag
    }

    /// Reads `{Pid, Tag}`; `nil` for any other term.
    public init?(_ term: Term) {
        guard case .tuple(let parts) = term, parts.count == 2, case .pid(let pid) = parts[0] else { return nil }
        self.init(pid: pid, tag: parts[1])
    }

    /// `{Pid, Tag}`.
    public var term: Term { .tuple([.pid(pid), tag]) }

    /// The alias the reply goes to, when the tag is `[alias | Alias]`.
    public var alias: Reference? {
        guard case .improperList(let head, .reference(let alias)) = tag, head == [.atom("alias")] else { return nil }
        return alias
    }

    /// The tag for a call that made `alias`: `[alias | Alias]`.
    static func aliasTag(_ alias: Reference) -> Term { .improperList([.atom("alias")], tail: .reference(alias)) }

    public var description: String { term.description }
}
