public import ErlangDistribution
public import ErlangTerm

/// What a send that must not suspend achieved.
@usableFromInline
enum SendAttempt {
    /// Delivered (or dropped, as a send to a dead process is).
    case delivered
    /// Queued, but the connection is over its high-water mark: wait before sending more.
    case wait(DistributionConnection)
    /// No connection yet: connect, then send.
    case connect
}

extension Node {
    /// Sends `message` to `pid`, wherever it lives. Like Erlang's `!`, sending never fails: a
    /// message to a process that does not exist, or to a node that cannot be reached, is dropped.
    /// A remote send connects to the node on demand.
    public func send(_ message: Term, to pid: PID) async {
        await send(message, to: pid, from: nil)
    }

    /// Sends `message` to the process registered as `name` on this node. Returns `false` when no
    /// process has that name (Erlang raises `badarg` then).
    @discardableResult
    public func send(_ message: Term, to name: Atom) async -> Bool {
        await send(message, to: name, from: nil)
    }

    /// Sends `message` to the process registered as `name` on node `remote` (`{Name, Node} ! Msg`).
    public func send(_ message: Term, to name: Atom, on remote: Atom) async {
        await send(message, to: name, on: remote, from: nil)
    }

    @usableFromInline
    func send(_ message: Term, to pid: PID, from: PID?) async {
        switch attemptSend(message, to: pid, from: from) {
        case .delivered: return
        case .wait(let connection): await connection.waitForRoom()
        case .connect:
            guard let connection = await distribution.connection(to: pid.node) else { return }
            if case .wait(let connection) = enqueue(message, to: pid, from: from, on: connection) {
                await connection.waitForRoom()
            }
        }
    }

    /// Sends without suspending when it can: to a local process, or over an open connection.
    /// Tells the caller when it must wait for room, or connect first.
    @usableFromInline
    func attemptSend(_ message: Term, to pid: PID, from: PID?) -> SendAttempt {
        if isLocal(pid) {
            processes.lookup(pid)?.mailbox.enqueue(.message(message))
            return .delivered
        }
        // A pid of an earlier incarnation of this node: the process is gone.
        if pid.node == name { return .delivered }
        guard let connection = distribution.openConnection(to: pid.node) else { return .connect }
        return enqueue(message, to: pid, from: from, on: connection)
    }

    private func enqueue(_ message: Term, to pid: PID, from: PID?, on connection: DistributionConnection) -> SendAttempt
    {
        let control: ControlMessage =
            if let from, connection.supportsSendSender { .sendSender(from: from, to: pid) } else { .send(to: pid) }
        do {
            return try connection.enqueue(control, payload: message) ? .wait(connection) : .delivered
        } catch {
            distribution.logger.error("dropped a message to \(pid): \(error)")
            return .delivered
        }
    }

    @discardableResult
    func send(_ message: Term, to name: Atom, from: PID?) async -> Bool {
        guard let process = processes.lookup(name: name) else { return false }
        process.mailbox.enqueue(.message(message))
        return true
    }

    @usableFromInline
    func send(_ message: Term, to registered: Atom, on remote: Atom, from: PID?) async {
        switch attemptSend(message, to: registered, on: remote, from: from) {
        case .delivered: return
        case .wait(let connection): await connection.waitForRoom()
        case .connect:
            guard let connection = await distribution.connection(to: remote) else { return }
            if case .wait(let connection) = enqueue(message, to: registered, from: from, on: connection) {
                await connection.waitForRoom()
            }
        }
    }

    /// ``attemptSend(_:to:from:)`` for `{Name, Node} ! Message`.
    @usableFromInline
    func attemptSend(_ message: Term, to registered: Atom, on remote: Atom, from: PID?) -> SendAttempt {
        if remote == name {
            processes.lookup(name: registered)?.mailbox.enqueue(.message(message))
            return .delivered
        }
        guard let connection = distribution.openConnection(to: remote) else { return .connect }
        return enqueue(message, to: registered, from: from, on: connection)
    }

    private func enqueue(_ message: Term, to registered: Atom, from: PID?, on connection: DistributionConnection)
        -> SendAttempt
    {
        let sender = from ?? distribution.systemPID ?? PID(node: name, id: 0, serial: 0, creation: creation)
        do {
            return try connection.enqueue(.registeredSend(from: sender, toName: registered), payload: message)
                ? .wait(connection) : .delivered
        } catch {
            distribution.logger.error("dropped a message to {\(registered), \(connection.peerName)}: \(error)")
            return .delivered
        }
    }

    /// Sends to a process alias: at once to a local alias (dropped if the alias is gone), as an
    /// `ALIAS_SEND` to another node's.
    func send(_ message: Term, toAlias alias: Reference, from: PID?) async {
        if alias.node == name {
            if alias.creation == creation { aliases.lookup(alias)?.mailbox.enqueue(.message(message)) }
            return
        }
        var connection = distribution.openConnection(to: alias.node)
        if connection == nil { connection = await distribution.connection(to: alias.node) }
        guard let connection else { return }
        let sender = from ?? distribution.systemPID ?? PID(node: name, id: 0, serial: 0, creation: creation)
        do {
            if try connection.enqueue(.aliasSend(from: sender, alias: alias), payload: message) {
                await connection.waitForRoom()
            }
        } catch {
            distribution.logger.error("dropped a message to alias \(alias): \(error)")
        }
    }

    /// Delivers a message that arrived from another node.
    func deliverLocal(_ message: Term, to pid: PID) {
        guard isLocal(pid) else { return }
        processes.lookup(pid)?.mailbox.enqueue(.message(message))
    }
}
