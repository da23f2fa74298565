public import ErlangTerm

/// A distribution control message (`erl_dist_protocol.md`, "Protocol between connected nodes").
///
/// On the wire a control message is a tuple whose first element is the operation number; some
/// operations are followed by a payload term (the message, or an exit reason). ``ControlMessage``
/// names each operation Colony sends or receives and converts to and from that tuple; the payload
/// travels beside it.
public enum ControlMessage: Sendable, Hashable {
    /// `{1, FromPid, ToPid}`: link two processes.
    case link(from: PID, to: PID)
    /// `{2, Unused, ToPid}` + message: send to a pid.
    case send(to: PID)
    /// `{3, FromPid, ToPid, Reason}`: a linked process exited.
    case exit(from: PID, to: PID, reason: Term)
    /// `{4, FromPid, ToPid}`: the old unlink (before `UNLINK_ID`).
    case unlink(from: PID, to: PID)
    /// `{6, FromPid, Unused, ToName}` + message: send to a registered name.
    case registeredSend(from: PID, toName: Atom)
    /// `{7, FromPid, ToPid}`: set the group leader.
    case groupLeader(from: PID, to: PID)
    /// `{8, FromPid, ToPid, Reason}`: `exit/2` sent to a process.
    case exit2(from: PID, to: PID, reason: Term)
    /// `{19, FromPid, ToProc, Ref}`: monitor a process by pid or by registered name.
    case monitor(from: PID, target: MonitorTarget, reference: Reference)
    /// `{20, FromPid, ToProc, Ref}`: remove a monitor.
    case demonitor(from: PID, target: MonitorTarget, reference: Reference)
    /// `{21, FromProc, ToPid, Ref, Reason}`: a monitored process exited.
    case monitorExit(from: MonitorTarget, to: PID, reference: Reference, reason: Term)
    /// `{22, FromPid, ToPid}` + message: send with the sender's pid.
    case sendSender(from: PID, to: PID)
    /// `{24, FromPid, ToPid}` + reason: `exit` with the reason as payload.
    case payloadExit(from: PID, to: PID)
    /// `{26, FromPid, ToPid}` + reason: `exit2` with the reason as payload.
    case payloadExit2(from: PID, to: PID)
    /// `{28, FromProc, ToPid, Ref}` + reason: monitor exit with the reason as payload.
    case payloadMonitorExit(from: MonitorTarget, to: PID, reference: Reference)
    /// `{29, ReqId, From, GroupLeader, {M, F, Arity}, OptList}` + argument list: `spawn_request`.
    case spawnRequest(
        requestID: Reference, from: PID, groupLeader: PID, module: Atom, function: Atom, arity: Int, options: Term)
    /// `{31, ReqId, To, Flags, Result}`: the answer to a spawn request (a pid or an error atom).
    case spawnReply(requestID: Reference, to: PID, flags: Int, result: Term)
    /// `{33, FromPid, Alias}` + message: send to a process alias.
    case aliasSend(from: PID, alias: Reference)
    /// `{35, Id, FromPid, ToPid}`: unlink with an id, to be acknowledged.
    case unlinkID(id: Int, from: PID, to: PID)
    /// `{36, Id, FromPid, ToPid}`: acknowledge an `unlinkID`.
    case unlinkIDAck(id: Int, from: PID, to: PID)
    /// A message in its trace-token form (`SEND_TT`, `REG_SEND_TT`, `SEND_SENDER_TT`,
    /// `ALIAS_SEND_TT`, `EXIT_TT`, `PAYLOAD_EXIT_TT`, `EXIT2_TT`, `PAYLOAD_EXIT2_TT`,
    /// `SPAWN_REQUEST_TT`, `SPAWN_REPLY_TT`): the operation, with the sender's sequential-trace
    /// token as its last element. The token is `{Flags, Label, Serial, From, LastCnt}` as OTP
    /// makes it; Colony reads only the label, and sends only to peers with
    /// ``DistributionFlags/bigSeqtraceLabels``. Only those ten operations have a `_TT` form.
    indirect case traced(ControlMessage, token: Term)

    /// What a monitor watches: a process by pid, or a registered name (a name on the node that
    /// receives the message).
    public enum MonitorTarget: Sendable, Hashable {
        /// A process.
        case pid(PID)
        /// A registered name.
        case name(Atom)

        var term: Term {
            switch self {
            case .pid(let p): return .pid(p)
            case .name(let n): return .atom(n)
            }
        }

        init?(_ term: Term) {
            switch term {
            case .pid(let p): self = .pid(p)
            case .atom(let a): self = .name(a)
            default: return nil
            }
        }
    }

    /// `true` when a payload term follows the control message on the wire.
    public var hasPayload: Bool {
        switch self {
        case .send, .registeredSend, .sendSender, .payloadExit, .payloadExit2, .payloadMonitorExit, .spawnRequest,
            .aliasSend:
            return true
        case .traced(let base, _):
            return base.hasPayload
        default:
            return false
        }
    }
}

extension ControlMessage {
    /// The control tuple as it goes on the wire.
    public var term: Term {
        switch self {
        case .link(let from, let to): return .tuple([1, .pid(from), .pid(to)])
        case .send(let to): return .tuple([2, "", .pid(to)])
        case .exit(let from, let to, let reason): return .tuple([3, .pid(from), .pid(to), reason])
        case .unlink(let from, let to): return .tuple([4, .pid(from), .pid(to)])
        case .registeredSend(let from, let name): return .tuple([6, .pid(from), "", .atom(name)])
        case .groupLeader(let from, let to): return .tuple([7, .pid(from), .pid(to)])
        case .exit2(let from, let to, let reason): return .tuple([8, .pid(from), .pid(to), reason])
        case .monitor(let from, let target, let ref): return .tuple([19, .pid(from), target.term, .reference(ref)])
        case .demonitor(let from, let target, let ref): return .tuple([20, .pid(from), target.term, .reference(ref)])
        case .monitorExit(let from, let to, let ref, let reason):
            return .tuple([21, from.term, .pid(to), .reference(ref), reason])
        case .sendSender(let from, let to): return .tuple([22, .pid(from), .pid(to)])
        case .payloadExit(let from, let to): return .tuple([24, .pid(from), .pid(to)])
        case .payloadExit2(let from, let to): return .tuple([26, .pid(from), .pid(to)])
        case .payloadMonitorExit(let from, let to, let ref): return .tuple([28, from.term, .pid(to), .reference(ref)])
        case .spawnRequest(let id, let from, let leader, let module, let function, let arity, let options):
            return .tuple([
                29, .reference(id), .pid(from), .pid(leader),
                .tuple([.atom(module), .atom(function), .integer(arity)]),
                options,
            ])
        case .spawnReply(let id, let to, let flags, let result):
            return .tuple([31, .reference(id), .pid(to), .integer(flags), result])
        case .aliasSend(let from, let alias): return .tuple([33, .pid(from), .reference(alias)])
        case .unlinkID(let id, let from, let to): return .tuple([35, .integer(id), .pid(from), .pid(to)])
        case .unlinkIDAck(let id, let from, let to): return .tuple([36, .integer(id), .pid(from), .pid(to)])
        case .traced(let base, let token): return base.tracedTerm(token) ?? base.term
        }
    }

    /// The `_TT` form of this operation with `token` last, or `nil` when it has none.
    private func tracedTerm(_ token: Term) -> Term? {
        guard case .tuple(var elements) = term, case .integer(let op) = elements.first else { return nil }
        let traced: [Int: Int] = [2: 12, 3: 13, 6: 16, 8: 18, 22: 23, 24: 25, 26: 27, 29: 30, 31: 32, 33: 34]
        guard let ttOp = traced[op] else { return nil }
        elements[0] = .integer(ttOp)
        switch op {
        case 3, 8:
            // {Op, From, To, Reason} → {OpTT, From, To, Token, Reason}
            elements.insert(token, at: 3)
        default:
            elements.append(token)
        }
        return .tuple(elements)
    }

    /// The operation without its trace token.
    public var untraced: ControlMessage {
        if case .traced(let base, _) = self { return base.untraced }
        return self
    }

    /// Parses a control tuple. A trace-token variant (`*_TT`) gives ``traced(_:token:)`` when its
    /// token is a tuple (OTP's form), and the plain operation when it is anything else (`[]` is
    /// OTP's "no token"); operations Colony does not know give `nil` (the connection reports them).
    public init?(_ term: Term) {
        guard let base = Self.parse(term) else { return nil }
        let tokenIndex: [Int: Int] = [12: 3, 13: 3, 16: 4, 18: 3, 23: 3, 25: 3, 27: 3, 30: 6, 32: 5, 34: 3]
        if case .tuple(let t) = term, let op = t.first?.intValue, let index = tokenIndex[op], index < t.count,
            case .tuple = t[index]
        {
            self = .traced(base, token: t[index])
        } else {
            self = base
        }
    }

    private static func parse(_ term: Term) -> ControlMessage? {
        guard case .tuple(let t) = term, let op = t.first?.intValue else { return nil }
        func pid(_ i: Int) -> PID? { i < t.count ? t[i].pidValue : nil }
        func ref(_ i: Int) -> Reference? { i < t.count ? t[i].referenceValue : nil }
        func int(_ i: Int) -> Int? { i < t.count ? t[i].intValue : nil }
        switch (op, t.count) {
        case (1, 3):
            guard let f = pid(1), let to = pid(2) else { return nil }
            return .link(from: f, to: to)
        case (2, 3), (12, 4):
            guard let to = pid(2) else { return nil }
            return .send(to: to)
        case (3, 4), (13, 5):
            guard let f = pid(1), let to = pid(2) else { return nil }
            return .exit(from: f, to: to, reason: t[op == 3 ? 3 : 4])
        case (4, 3):
            guard let f = pid(1), let to = pid(2) else { return nil }
            return .unlink(from: f, to: to)
        case (6, 4), (16, 5):
            guard let f = pid(1), let name = t[3].atomValue else { return nil }
            return .registeredSend(from: f, toName: name)
        case (7, 3):
            guard let f = pid(1), let to = pid(2) else { return nil }
            return .groupLeader(from: f, to: to)
        case (8, 4), (18, 5):
            guard let f = pid(1), let to = pid(2) else { return nil }
            return .exit2(from: f, to: to, reason: t[op == 8 ? 3 : 4])
        case (19, 4), (20, 4):
            guard let f = pid(1), let target = MonitorTarget(t[2]), let r = ref(3) else { return nil }
            return op == 19
                ? .monitor(from: f, target: target, reference: r) : .demonitor(from: f, target: target, reference: r)
        case (21, 5):
            guard let from = MonitorTarget(t[1]), let to = pid(2), let r = ref(3) else { return nil }
            return .monitorExit(from: from, to: to, reference: r, reason: t[4])
        case (22, 3), (23, 4):
            guard let f = pid(1), let to = pid(2) else { return nil }
            return .sendSender(from: f, to: to)
        case (24, 3), (25, 4):
            guard let f = pid(1), let to = pid(2) else { return nil }
            return .payloadExit(from: f, to: to)
        case (26, 3), (27, 4):
            guard let f = pid(1), let to = pid(2) else { return nil }
            return .payloadExit2(from: f, to: to)
        case (28, 4):
            guard let from = MonitorTarget(t[1]), let to = pid(2), let r = ref(3) else { return nil }
            return .payloadMonitorExit(from: from, to: to, reference: r)
        case (29, 6), (30, 7):
            guard let id = ref(1), let f = pid(2), let leader = pid(3), case .tuple(let mfa) = t[4], mfa.count == 3,
                let m = mfa[0].atomValue, let fn = mfa[1].atomValue, let arity = mfa[2].intValue
            else { return nil }
            return .spawnRequest(
                requestID: id, from: f, groupLeader: leader, module: m, function: fn, arity: arity, options: t[5])
        case (31, 5), (32, 6):
            guard let id = ref(1), let to = pid(2), let flags = int(3) else { return nil }
            return .spawnReply(requestID: id, to: to, flags: flags, result: t[4])
        case (33, 3), (34, 4):
            guard let f = pid(1), let alias = ref(2) else { return nil }
            return .aliasSend(from: f, alias: alias)
        case (35, 4), (36, 4):
            guard let id = int(1), let f = pid(2), let to = pid(3) else { return nil }
            return op == 35 ? .unlinkID(id: id, from: f, to: to) : .unlinkIDAck(id: id, from: f, to: to)
        default:
            return nil
        }
    }
}
