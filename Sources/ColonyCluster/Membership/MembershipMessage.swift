public import ErlangTerm

/// The messages the membership processes (registered as `colony_membership`) exchange, and the
/// node events the shell feeds its own process, as terms. Every decoder takes any term and
/// answers `nil` for what it does not recognise.
public enum MembershipMessage: Sendable, Equatable {
    /// `{colony_membership, hello, Node, Started, WantsReply}`: a Colony node introduces itself.
    case hello(Atom, started: Int, wantsReply: Bool)
    /// `{colony_membership, leaving, Node}`: a node is shutting down.
    case leaving(Atom)
    /// `{colony_membership, ping_req, From, Id, Target}`: probe `Target` for `From`'s probe `Id`.
    case probeRequest(from: Atom, id: Int, target: Atom)
    /// `{colony_membership, ack | nack, Id, Target}`: whether `Target` answered.
    case probeAnswer(id: Int, target: Atom, reached: Bool)
    /// `{colony_membership, nodeup, Node}`: the shell's own: a connection came up.
    case nodeUp(Atom)
    /// `{colony_membership, nodedown, Node, Reason}`: the shell's own: a connection went down.
    case nodeDown(Atom, reason: String)
    /// `{colony_membership, down, Node}`: the shell's own: take `Node` out of the cluster.
    case down(Atom)
    /// `{colony_membership, stop}`: the shell's own: say goodbye and stop.
    case stop

    static let tag: Atom = "colony_membership"

    /// The message as a term.
    public var term: Term {
        let tag = Term.atom(Self.tag)
        switch self {
        case .hello(let node, let started, let wantsReply):
            return .tuple([tag, "hello", .atom(node), .integer(started), .atom(wantsReply ? "true" : "false")])
        case .leaving(let node): return .tuple([tag, "leaving", .atom(node)])
        case .probeRequest(let from, let id, let target):
            return .tuple([tag, "ping_req", .atom(from), .integer(id), .atom(target)])
        case .probeAnswer(let id, let target, let reached):
            return .tuple([tag, reached ? "ack" : "nack", .integer(id), .atom(target)])
        case .nodeUp(let node): return .tuple([tag, "nodeup", .atom(node)])
        case .nodeDown(let node, let reason):
            return .tuple([tag, "nodedown", .atom(node), .binary(Array(reason.utf8))])
        case .down(let node): return .tuple([tag, "down", .atom(node)])
        case .stop: return .tuple([tag, "stop"])
        }
    }

    /// The message `term` holds, if it is one.
    public init?(_ term: Term) {
        guard case .tuple(let t) = term, t.count >= 2, t[0] == .atom(Self.tag), case .atom(let kind) = t[1] else {
            return nil
        }
        switch (kind.name, t.count) {
        case ("hello", 5):
            guard case .atom(let node) = t[2], case .integer(let started) = t[3], case .atom(let reply) = t[4] else {
                return nil
            }
            self = .hello(node, started: started, wantsReply: reply == "true")
        case ("leaving", 3):
            guard case .atom(let node) = t[2] else { return nil }
            self = .leaving(node)
        case ("ping_req", 5):
            guard case .atom(let from) = t[2], case .integer(let id) = t[3], case .atom(let target) = t[4] else {
                return nil
            }
            self = .probeRequest(from: from, id: id, target: target)
        case ("ack", 4), ("nack", 4):
            guard case .integer(let id) = t[2], case .atom(let target) = t[3] else { return nil }
            self = .probeAnswer(id: id, target: target, reached: kind == "ack")
        case ("nodeup", 3):
            guard case .atom(let node) = t[2] else { return nil }
            self = .nodeUp(node)
        case ("nodedown", 4):
            guard case .atom(let node) = t[2], case .binary(let reason) = t[3] else { return nil }
            self = .nodeDown(node, reason: String(decoding: reason, as: UTF8.self))
        case ("down", 3):
            guard case .atom(let node) = t[2] else { return nil }
            self = .down(node)
        case ("stop", 2):
            self = .stop
        default:
            return nil
        }
    }
}
