import Colony
import ErlangTerm

/// Reads the messages that reach a name server and hands each to its handler.
extension GlobalServerState {
    /// A message in the name server's mailbox (other than replies to the locker's calls, which
    /// the shell gives the locker).
    mutating func received(_ message: Term) -> [Directive] {
        guard case .tuple(let t) = message, case .atom(let kind)? = t.first else { return [] }
        switch (kind, t.count) {
        case ("$gen_cast", 2):
            return cast(t[1])
        case ("$gen_call", 3):
            guard case .tuple(let from) = t[1], from.count == 2, case .pid(let pid) = from[0] else { return [] }
            return call(t[2], from: CallerRef(pid: pid, tag: from[1]))
        case ("nodeup", 3):
            guard case .atom(let node) = t[1], Self.isVisible(t[2]) else { return [] }
            return nodeUp(node, connection: Self.connectionID(t[2]) ?? 0)
        case ("nodedown", 3):
            guard case .atom(let node) = t[1], Self.isVisible(t[2]) else { return [] }
            return nodeDown(node, connection: Self.connectionID(t[2]))
        case ("extra_nodedown", 2):
            guard case .atom(let node) = t[1] else { return [] }
            return extraNodeDown(node)
        case ("init_connect_ack", 4):
            guard case .atom(let node) = t[1] else { return [] }
            return initConnectAck(node: node, myTag: t[2], hisTag: t[3])
        case ("cancel_connect", 3):
            guard case .atom(let node) = t[1] else { return [] }
            return cancelConnect(node: node, myTag: t[2])
        case ("lost_connection", 5):
            guard case .atom(let reporter) = t[1], case .atom(let lost) = t[4] else { return [] }
            return lostConnection(reporter: reporter, creation: t[2], operation: t[3], lost: lost)
        case ("remove_connection", 2):
            guard case .atom(let node) = t[1] else { return [] }
            return removeConnection(node)
        case ("whereis", 3):
            guard case .tuple(let from) = t[2], from.count == 2, case .pid(let pid) = from[0] else { return [] }
            return [.reply(CallerRef(pid: pid, tag: from[1]), table.whereis(t[1]).map(Term.pid) ?? "undefined")]
        default:
            return []
        }
    }

    private mutating func cast(_ message: Term) -> [Directive] {
        guard case .tuple(let t) = message, case .atom(let kind)? = t.first else { return [] }
        switch (kind, t.count) {
        case ("init_connect", 4):
            guard case .atom(let node) = t[2] else { return [] }
            return initConnect(versionTerm: t[1], node: node, initMessage: t[3])
        case ("lock_is_set", 4):
            guard case .atom(let node) = t[1] else { return [] }
            return lockIsSet(node: node, myTag: t[2], lockID: t[3])
        case ("exchange", 5):
            guard case .atom(let node) = t[1], case .list(let names) = t[2] else { return [] }
            return exchangeReceived(node: node, names: names.compactMap(GlobalName.init), myTag: t[4])
        case ("exchange_ops", 5):
            guard case .atom(let node) = t[1], case .list(let ops) = t[3], case .list(let resolved) = t[4] else {
                return []
            }
            return exchangeOps(node: node, myTag: t[2], ops: ops, resolved: resolved)
        case ("resolved", 7):
            guard case .atom(let node) = t[1], case .list(let hisResolved) = t[2], case .list(let hisKnown) = t[3]
            else { return [] }
            return resolvedReceived(node: node, hisResolved: hisResolved, hisKnown: hisKnown, myTag: t[6])
        case ("new_nodes", 6):
            guard case .atom(let node) = t[1], case .list(let ops) = t[2], case .list(let nodes) = t[4] else {
                return []
            }
            return newNodes(from: node, ops: ops, nodes: nodes, extraInfo: t[5])
        case ("in_sync", 3):
            guard case .atom(let node) = t[1] else { return [] }
            return inSync(node)
        case ("lock_set", 5):
            // From another node's locker: for ours, if it belongs to the current session.
            guard case .pid(let pid) = t[1], let mine = session(pid.node).myTag, Term.integer(mine) == t[4] else {
                return []
            }
            return [.locker(.lockSet(pid, isSet: t[2] == "true", myTag: t[4]))]
        case ("lock_set", 4):
            guard case .pid(let pid) = t[1] else { return [] }
            return [.locker(.lockSet(pid, isSet: t[2] == "true", myTag: nil))]
        default:
            // async_del_name and async_del_lock are no-ops since R14; anything else is ignored.
            return []
        }
    }

    static func isVisible(_ info: Term) -> Bool {
        guard case .map(let map) = info, let type = map[atom: "node_type"] else { return true }
        return type == "visible"
    }

    static func connectionID(_ info: Term) -> Int? {
        guard case .map(let map) = info, case .integer(let id)? = map[atom: "connection_id"] else { return nil }
        return id
    }
}
