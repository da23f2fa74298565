import Colony
import ErlangTerm

/// Nodes going down, and "prevent overlapping partitions": a node that loses a peer tells every
/// node it knows (`lost_connection`); each of them then drops the lost peer too, so that the
/// partitions that form are disjoint and fully connected, as global's name tables need.
extension GlobalServerState {
    /// `{nodedown, Node, Info}`.
    mutating func nodeDown(_ node: Atom, connection: Int?) -> [Directive] {
        if let connection, let current = connections[node], current != connection { return [] }
        var directives = syncersDone([node])
        directives += deleteNodeResources(node)
        directives += nodeDown(node, kind: .disconnected, connectionGone: true)
        setConnection(node, nil)
        return directives
    }

    /// The names and locks held by processes of `node`, dropped when its connection goes (OTP's
    /// `delete_node_resources/2`, which it keeps for `group_nodedown`).
    ///
    /// OTP relies on each monitor's `DOWN noconnection` here, but a `set_lock` or `register`
    /// that came over the lost connection and is handled after it closed monitors its process
    /// over the next connection, where it is alive: no `DOWN` comes, and a lock its requester
    /// already counts as failed (the node was a bad node of its `multi_call`) would stay set on
    /// this node for good, refusing every later partition lock. Names that still hold come back
    /// with the exchange when the node connects again.
    private mutating func deleteNodeResources(_ node: Atom) -> [Directive] {
        var directives: [Directive] = []
        for pid in table.watchedProcesses(on: node) {
            directives += processDown(pid)
            directives.append(.unwatch(pid))
        }
        return directives
    }

    /// `handle_nodedown/3`.
    mutating func nodeDown(_ node: Atom, kind: NodeDownKind, connectionGone: Bool) -> [Directive] {
        var directives = cancelLocker(node, tag: session(node).myTag)
        directives.append(.locker(.removeFromKnown(node)))
        resetNodeState(node)
        switch kind {
        case .removeConnection:
            setRemoving(node, true)
        case .ignoreNode:
            setRemoving(node, false)
        case .disconnected:
            if removing.contains(node) {
                setRemoving(node, false)
            } else {
                directives += informConnectionLoss(node)
            }
        }
        setPending(node, nil)
        setKnown(node, nil)
        unmarkSynced(node)
        return directives
    }

    /// `inform_connection_loss/2`.
    private mutating func informConnectionLoss(_ node: Atom) -> [Directive] {
        guard preventOverlappingPartitions else { return [] }
        let message: Term = .tuple([
            "lost_connection", .atom(me), .integer(extendedCreation), .integer(unique()), .atom(node),
        ])
        return multicast(message, except: node)
    }

    /// `gns_volatile_multicast/5` to known and pending nodes of a version that reads it.
    private func multicast(_ message: Term, except skipped: Atom) -> [Directive] {
        let reading = known.filter { $0.value >= GlobalProtocol.preventOverlapVersion }.map(\.key)
        let pendingReading = pending.filter { $0.value >= GlobalProtocol.preventOverlapVersion }.map(\.key)
        let targets = Set(reading + pendingReading)
        return targets.subtracting([skipped]).sorted().map { .send($0, message) }
    }

    /// `{lost_connection, NodeA, XCreationA, OpIdA, NodeB}`: `reporter` lost `lost`.
    mutating func lostConnection(reporter: Atom, creation: Term, operation: Term, lost: Atom) -> [Directive] {
        guard preventOverlappingPartitions else { return [] }
        let key = LostConnectionKey(reporter: reporter, lost: lost)
        if let seen = lostConnection(key), seen.creation == creation, Term.compare(operation, seen.operation) <= 0 {
            return []
        }
        var directives = multicast(
            .tuple(["lost_connection", .atom(reporter), creation, operation, .atom(lost)]), except: reporter)
        saveLostConnection(key, creation: creation, operation: operation)
        let removed = lost == me ? reporter : lost
        guard known[removed] != nil || pending[removed] != nil else { return directives }
        if nodeVersion(removed) < GlobalProtocol.preventOverlapVersion {
            directives.append(.disconnect(removed))
        } else {
            directives.append(.send(removed, .tuple(["remove_connection", .atom(me)])))
        }
        directives.append(
            .warning(
                "'global' at node \(me) requested disconnect from node \(removed) to prevent overlapping partitions"
                    + " (\(reporter) lost \(lost))"))
        directives += nodeDown(removed, kind: .removeConnection, connectionGone: false)
        return directives
    }

    /// `{remove_connection, Node}`: `node` asks this one to disconnect from it.
    mutating func removeConnection(_ node: Atom) -> [Directive] {
        guard known[node] != nil || pending[node] != nil else { return [] }
        var directives: [Directive] = [.disconnect(node)]
        directives += nodeDown(node, kind: .removeConnection, connectionGone: false)
        directives.append(
            .warning("'global' at node \(me) disconnected node \(node) to prevent overlapping partitions"))
        return directives
    }
}
