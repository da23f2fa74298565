import Colony
import ErlangTerm

/// The connection algorithm (global.erl's "Connection algorithm"): when two nodes connect, each
/// locks its own partition, they exchange their names, resolve clashes, tell the rest of their
/// partitions about the other one (`new_nodes`), and every node then syncs with the new ones
/// (`in_sync`).
extension GlobalServerState {
    /// `handle_nodeup/2`: a visible node connected.
    mutating func nodeUp(_ node: Atom, connection: Int) -> [Directive] {
        guard node != me else { return [] }
        setConnection(node, connection)
        return handleNodeUp(node)
    }

    mutating func handleNodeUp(_ node: Atom) -> [Directive] {
        if known[node] != nil || resolvers[node] != nil { return [] }
        var directives: [Directive] = []
        // An init_connect that came before this nodeup is handled now, after it.
        if let early = session(node).preConnect {
            update(node) { $0.preConnect = nil }
            directives.append(
                .toSelf(
                    GlobalProtocol.cast(
                        .tuple([
                            "init_connect", .tuple([.integer(early.version), early.hisTag]), .atom(node),
                            early.initMessage,
                        ]))))
        }
        let myTag = unique()
        update(node) { $0.myTag = myTag }
        let knownMap = TermMap(known.map { (Term.atom($0.key), Term.integer($0.value)) })
        let lockerInfo: Term = .tuple(["locker", "no_longer_a_pid", .map(knownMap), .pid(locker)])
        let initConnect: Term = .tuple([
            "init_connect", .tuple([.integer(GlobalProtocol.version), .integer(myTag)]), .atom(me), lockerInfo,
        ])
        directives.append(.cast(node, initConnect))
        setResolver(node, myTag)
        return directives
    }

    /// `{init_connect, Vsn, Node, InitMsg}` from the server at `node`.
    mutating func initConnect(versionTerm: Term, node: Atom, initMessage: Term) -> [Directive] {
        guard case .tuple(let v) = versionTerm, v.count >= 2, case .integer(let hisVersion) = v[0] else {
            return [.warning("global: illegal protocol version \(versionTerm) from \(node)")]
        }
        let hisTag = v[1]
        let version = min(hisVersion, GlobalProtocol.version)
        var directives: [Directive] = []
        if pending[node] != nil {
            // A second connect attempt while one is under way: cancel both and start over.
            if hisVersion < GlobalProtocol.verifyConnectVersion {
                return [.disconnect(node), .warning("global: out of sync connection attempt from old node \(node)")]
            }
            directives.append(.send(node, .tuple(["cancel_connect", .atom(me), hisTag])))
            directives += restartConnect(node, myTag: session(node).myTag)
        }
        update(node) {
            $0.protocolVersion = version
            $0.hisTag = hisTag
        }
        if let myTag = resolvers[node], session(node).myTag == myTag {
            guard case .tuple(let info) = initMessage, info.count == 4, case .pid(let hisLocker) = info[3] else {
                return directives
            }
            directives.append(.locker(.hisTheLocker(hisLocker, version: version, hisTag: hisTag, myTag: myTag)))
            if hisVersion >= GlobalProtocol.verifyConnectVersion {
                directives.append(.send(node, .tuple(["init_connect_ack", .atom(me), hisTag, .integer(myTag)])))
            }
            setPending(node, hisVersion)
        } else {
            update(node) { $0.preConnect = PreConnect(version: version, initMessage: initMessage, hisTag: hisTag) }
        }
        return directives
    }

    /// `restart_connect/3`: a session got out of step; cancel it and, if the node is up, begin anew.
    mutating func restartConnect(_ node: Atom, myTag: Int?) -> [Directive] {
        var directives = cancelLocker(node, tag: myTag)
        resetNodeState(node)
        setPending(node, nil)
        if myTag != nil, connections[node] != nil { directives += handleNodeUp(node) }
        return directives
    }

    /// `{init_connect_ack, Node, HisMyTag, HisHisTag}`.
    mutating func initConnectAck(node: Atom, myTag: Term, hisTag: Term) -> [Directive] {
        let current = session(node)
        if let mine = current.myTag, Term.integer(mine) == myTag, current.hisTag == hisTag { return [] }
        return [.send(node, .tuple(["cancel_connect", .atom(me), hisTag]))] + restartConnect(node, myTag: current.myTag)
    }

    /// `{cancel_connect, Node, MyTag}`: the other side cancelled the session.
    mutating func cancelConnect(node: Atom, myTag: Term) -> [Directive] {
        guard let mine = session(node).myTag, Term.integer(mine) == myTag else { return [] }
        var directives = cancelLocker(node, tag: mine)
        resetNodeState(node)
        setPending(node, nil)
        directives += restartConnect(node, myTag: mine)
        return directives
    }

    /// `cancel_locker/4`: tells the locker to drop the session (running `newNodes` first if it
    /// holds the lock), tells the other side if the session was pending, ends its resolver.
    mutating func cancelLocker(_ node: Atom, tag: Int?, casts: [GlobalLockerState.Cast]? = nil) -> [Directive] {
        var directives: [Directive] = [.locker(.cancel(node, tag: tag, casts: casts))]
        if let version = pending[node], version >= GlobalProtocol.verifyConnectVersion, let tag,
            session(node).myTag == tag, let hisTag = session(node).hisTag
        {
            directives.append(.send(node, .tuple(["cancel_connect", .atom(me), hisTag])))
        }
        if let tag, resolvers[node] == tag { setResolver(node, nil) }
        return directives
    }

    /// `{lock_is_set, Node, MyTag, LockId}` from the locker: this partition is locked.
    mutating func lockIsSet(node: Atom, myTag: Term, lockID: Term) -> [Directive] {
        guard let mine = session(node).myTag, Term.integer(mine) == myTag else {
            return cancelLocker(node, tag: Self.tag(myTag))
        }
        var directives: [Directive] = [
            .cast(
                node,
                .tuple([
                    "exchange", .atom(me), .list(table.all.map(\.term)), .list([]), session(node).hisTag ?? "undefined",
                ]))
        ]
        update(node) { $0.lockID = lockID }
        if case .exchange(let names) = session(node).waitLock {
            update(node) { $0.waitLock = .lockIsSet }
            directives += exchange(node, names: names)
        } else {
            update(node) { $0.waitLock = .lockIsSet }
        }
        return directives
    }

    /// `{exchange, Node, NameList, NameExtList, MyTag}`: the other partition's names.
    mutating func exchangeReceived(node: Atom, names: [GlobalName], myTag: Term) -> [Directive] {
        guard let mine = session(node).myTag, Term.integer(mine) == myTag else {
            return cancelLocker(node, tag: Self.tag(myTag))
        }
        return exchange(node, names: names)
    }

    private mutating func exchange(_ node: Atom, names: [GlobalName]) -> [Directive] {
        if session(node).waitLock == .lockIsSet {
            update(node) { $0.waitLock = nil }
            guard let tag = resolvers[node] else { return [] }
            return [.resolve(node: node, tag: tag, names: names)]
        }
        update(node) { $0.waitLock = .exchange(names) }
        return []
    }

    /// `{exchange_ops, Node, MyTag, Ops, Resolved}` from the resolver.
    mutating func exchangeOps(node: Atom, myTag: Term, ops: [Term], resolved: [Term]) -> [Directive] {
        guard let mine = session(node).myTag, Term.integer(mine) == myTag else {
            return cancelLocker(node, tag: Self.tag(myTag))
        }
        var directives: [Directive] = [
            .cast(
                node,
                .tuple([
                    "resolved", .atom(me), .list(resolved), .list(knownList(for: nodeVersion(node))), "unused",
                    .list([]), session(node).hisTag ?? "undefined",
                ]))
        ]
        if case .resolved(let hisKnown, let hisResolved) = session(node).savedOps {
            update(node) { $0.savedOps = .ops(ops) }
            directives += completeResolution(node, hisResolved: hisResolved, hisKnown: hisKnown)
        } else {
            update(node) { $0.savedOps = .ops(ops) }
        }
        return directives
    }

    /// `{resolved, Node, HisResolved, HisKnown, _, NamesExt, MyTag}`.
    mutating func resolvedReceived(node: Atom, hisResolved: [Term], hisKnown: [Term], myTag: Term) -> [Directive] {
        guard let mine = session(node).myTag, Term.integer(mine) == myTag else {
            return cancelLocker(node, tag: Self.tag(myTag))
        }
        if case .ops = session(node).savedOps {
            return completeResolution(node, hisResolved: hisResolved, hisKnown: hisKnown)
        }
        update(node) { $0.savedOps = .resolved(hisKnown: hisKnown, hisResolved: hisResolved) }
        return []
    }

    /// `resolved/5`: both sides have resolved; apply the operations, tell the rest of this
    /// partition (through the locker, before it lets the lock go), and know the new nodes.
    private mutating func completeResolution(_ node: Atom, hisResolved: [Term], hisKnown: [Term]) -> [Directive] {
        guard case .ops(let mine) = session(node).savedOps else { return [] }
        let ops = mine + hisResolved
        let knownBefore = known
        let joining = nodeVersionList([.atom(node)] + hisKnown)
        let hisKnownNodes = Self.nodeNames(hisKnown)
        var directives: [Directive] = hisKnownNodes.map { .syncOther($0) }
        let extraInfo: Term = .list([
            .tuple(["vsn", session(node).protocolVersion.map(Term.integer) ?? "undefined"]),
            .tuple(["lock", session(node).lockID ?? "undefined"]),
        ])
        directives += doOps(ops, from: .atom(me), extraInfo: extraInfo, joining: Set(Self.nodeNames(joining)))
        directives += syncersDone([node])
        for other in hisKnownNodes {
            let tag = session(other).myTag
            setPending(other, nil)
            directives += cancelLocker(other, tag: tag)
            resetNodeState(other)
        }
        let newNodesMessage: Term = .tuple(["new_nodes", .atom(me), .list(ops), .list([]), .list(joining), extraInfo])
        let oldNodesMessage: Term = .tuple([
            "new_nodes", .atom(me), .list(ops), .list([]), .list(Self.nodeNames(joining).map(Term.atom)), extraInfo,
        ])
        let recipients = knownBefore.sorted { $0.key < $1.key }.map { entry in
            GlobalLockerState.Cast(
                node: entry.key,
                message: entry.value >= GlobalProtocol.propagateVersionsVersion ? newNodesMessage : oldNodesMessage)
        }
        let tag = session(node).myTag
        setPending(node, nil)
        directives += cancelLocker(node, tag: tag, casts: recipients)
        resetNodeState(node)
        let added = addToKnown(joining)
        directives.append(.locker(.addToKnown(added)))
        markSynced(node)
        return directives
    }

    /// `{new_nodes, Node, Ops, NamesExt, Nodes, ExtraInfo}`: a node of this partition connected
    /// to another partition; here are its nodes and the resolved names.
    mutating func newNodes(from node: Atom, ops: [Term], nodes: [Term], extraInfo: Term) -> [Directive] {
        let added = addToKnown(nodes)
        var directives: [Directive] = added.map { .syncOther($0) }
        directives += doOps(ops, from: .atom(node), extraInfo: extraInfo)
        directives.append(.locker(.addToKnown(added)))
        return directives
    }

    /// `{in_sync, Node, IsKnown}`: `node` (of the other partition) now shares our names.
    mutating func inSync(_ node: Atom) -> [Directive] {
        var directives = syncersDone([node])
        markSynced(node)
        setPending(node, nil)
        directives += cancelLocker(node, tag: session(node).myTag)
        resetNodeState(node)
        return directives
    }

    /// `{extra_nodedown, Node}`: a node this one was told to sync with could not be reached.
    mutating func extraNodeDown(_ node: Atom) -> [Directive] {
        syncersDone([node]) + nodeDown(node, kind: .disconnected, connectionGone: false)
    }

    static func tag(_ term: Term) -> Int? {
        if case .integer(let tag) = term { return tag }
        return nil
    }
}
