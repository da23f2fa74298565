/// The text of a status message (`'s'`), as the acceptor sends it after `send_name`, or as the
/// initiator answers `alive`.
public enum HandshakeStatus: Sendable, Hashable, CustomStringConvertible {
    /// `ok`: the handshake continues.
    case ok
    /// `ok_simultaneous`: the handshake continues; the acceptor had its own attempt to connect to
    /// the initiator under way and drops it (the initiator's name is the greater one).
    case okSimultaneous
    /// `nok`: the acceptor has its own attempt under way and keeps it (its name is the greater
    /// one); this connection ends.
    case nok
    /// `not_allowed`: the acceptor refuses the connection (not allowed, or missing capabilities).
    case notAllowed
    /// `alive`: the acceptor already has a connection to a node of this name; the initiator must
    /// answer with ``aliveReply(_:)``.
    case alive
    /// `named:`: the acceptor gives the initiator, which asked with
    /// ``DistributionFlags/nameMe``, its dynamic name and creation.
    case named(name: String, creation: UInt32)
    /// `true` or `false`: the initiator's answer to ``alive``; `true` means the old connection is
    /// stale and this one should replace it, `false` that this connection should close.
    case aliveReply(Bool)

    /// The status text on the wire, without the `'s'` tag (and, for ``named(name:creation:)``,
    /// without the name and creation that follow the text).
    public var text: String {
        switch self {
        case .ok: "ok"
        case .okSimultaneous: "ok_simultaneous"
        case .nok: "nok"
        case .notAllowed: "not_allowed"
        case .alive: "alive"
        case .named: "named:"
        case .aliveReply(let answer): answer ? "true" : "false"
        }
    }

    public var description: String {
        switch self {
        case .named(let name, let creation): "named:\(name) (creation \(creation))"
        default: text
        }
    }
}
