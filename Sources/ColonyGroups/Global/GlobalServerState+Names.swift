import Colony
import ErlangTerm

/// Names and locks: the calls every node's name server answers (`register`, `unregister`,
/// `set_lock`, `del_lock`, ...) and the operations a name exchange produces.
extension GlobalServerState {
    /// A `gen_server` call to the name server.
    mutating func call(_ request: Term, from caller: CallerRef) -> [Directive] {
        guard case .tuple(let r) = request, let kind = r.first else {
            if request == "get_known" { return [.reply(caller, .list(knownList(for: 0)))] }
            if request == "get_synced" { return [.reply(caller, .list(synced.map(Term.atom)))] }
            if request == "get_protocol_version" { return [.reply(caller, .integer(GlobalProtocol.version))] }
            if request == "get_names_ext" { return [.reply(caller, .list([]))] }
            return [.reply(caller, .tuple(["error", "not_supported"]))]
        }
        switch (kind, r.count) {
        case (.atom("register"), 4):
            guard case .pid(let pid) = r[2] else { break }
            return insertName(
                GlobalName(name: r[1], pid: pid, method: r[3]), from: .pid(caller.pid), extraInfo: .list([]))
                + [.reply(caller, "yes")]
        case (.atom("register_ext"), 5):
            guard case .pid(let pid) = r[2] else { break }
            return insertName(
                GlobalName(name: r[1], pid: pid, method: r[3]), from: .pid(caller.pid), extraInfo: .list([]))
                + [.reply(caller, "yes")]
        case (.atom("unregister"), 2):
            return deleteName(r[1]) + [.reply(caller, "ok")]
        case (.atom("set_lock"), 2):
            let (granted, watches) = table.setLock(r[1], by: caller.pid)
            return Self.apply(watches) + [.reply(caller, granted ? "true" : "false")]
        case (.atom("del_lock"), 2):
            return Self.apply(table.deleteLock(r[1], by: caller.pid)) + [.reply(caller, "true")]
        case (.atom("sync"), 2):
            guard case .list(let nodes) = r[1] else { break }
            return startSync(nodes.compactMap(\.atomValue), caller: caller)
        default:
            break
        }
        return [.reply(caller, .tuple(["error", "not_supported"]))]
    }

    /// `ins_name/6` and `insert_global_name/6`: registers, then checks that whoever took global's
    /// lock for it still holds it; a registration that comes after its lock was lost is undone.
    mutating func insertName(_ entry: GlobalName, from origin: Term, extraInfo: Term) -> [Directive] {
        let (watches, replaced) = table.insert(entry)
        var directives = Self.apply(watches)
        if let replaced, replaced.pid != entry.pid {
            directives.append(.changed(.unregistered(replaced.name, replaced.pid)))
        }
        if replaced?.pid != entry.pid { directives.append(.changed(.registered(entry.name, entry.pid))) }
        if !lockStillSet(origin, extraInfo: extraInfo) { directives += deleteName(entry.name) }
        return directives
    }

    /// `delete_global_name2/2`.
    mutating func deleteName(_ name: Term) -> [Directive] {
        let (watches, removed) = table.delete(name)
        var directives = Self.apply(watches)
        if let removed { directives.append(.changed(.unregistered(removed.name, removed.pid))) }
        return directives
    }

    /// `lock_still_set/3`.
    private func lockStillSet(_ origin: Term, extraInfo: Term) -> Bool {
        guard let requester = table.globalLockRequester else { return !table.globalLockDown }
        switch origin {
        case .pid(let pid): return table.holders(of: GlobalProtocol.globalResource).contains(pid)
        default:
            guard case .list(let info) = extraInfo,
                let lock = info.first(where: { $0.tupleElements?.first == "lock" })?.tupleElements, lock.count == 2,
                case .tuple(let id) = lock[1], id.count == 2
            else { return false }
            return id[1] == requester
        }
    }

    /// `do_ops/5`: the inserts and deletes a name exchange decided.
    ///
    /// One departure from OTP: a name held by a process of a node whose connection this server
    /// has seen go down (and not come up again), and that is neither known nor among `joining`
    /// (the nodes this exchange brings in), is not inserted. A third node that has not yet seen
    /// that node go passes its names on in the exchange; OTP inserts them and monitors the
    /// process over a connection that its monitor opens again, so no `DOWN` removes them, and when
    /// that node's own session follows, both sides already hold the name and no operation carries
    /// it to the rest of the partition, which dropped it: the tables stay different for good.
    /// Skipped here, the name comes with its own node's session, to every node of the partition.
    mutating func doOps(_ ops: [Term], from origin: Term, extraInfo: Term, joining: Set<Atom> = []) -> [Directive] {
        var directives: [Directive] = []
        for op in ops {
            guard case .tuple(let t) = op, t.count == 2, t[0] == "insert", let entry = GlobalName(t[1]) else {
                continue
            }
            let owner = entry.pid.node
            if departed.contains(owner), known[owner] == nil, !joining.contains(owner) { continue }
            directives += insertName(entry, from: origin, extraInfo: extraInfo)
        }
        for op in ops {
            guard case .tuple(let t) = op, t.count == 2, t[0] == "delete" else { continue }
            directives += deleteName(t[1])
        }
        return directives
    }

    /// A watched process ended: its names and locks go (OTP's `'DOWN'` handling).
    mutating func processDown(_ pid: PID) -> [Directive] {
        table.processDown(pid).map { .changed(.unregistered($0.name, $0.pid)) }
    }

    static func apply(_ watches: [GlobalNameTable.Watch]) -> [Directive] {
        watches.map { watch in
            switch watch {
            case .watch(let pid): .watch(pid)
            case .unwatch(let pid): .unwatch(pid)
            }
        }
    }
}
