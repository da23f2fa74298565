public import ErlangTerm

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

    func send(_ message: Term, to pid: PID, from: PID?) async {
        if isLocal(pid) {
            processes.lookup(pid)?.mailbox.enqueue(.message(message))
            return
        }
        guard pid.node != name, let connection = await distribution.connection(to: pid.node) else { return }
        if let from, connection.supportsSendSender {
            await connection.deliver(.sendSender(from: from, to: pid), payload: message)
        } else {
            await connection.deliver(.send(to: pid), payload: message)
        }
    }

    @discardableResult
    func send(_ message: Term, to name: Atom, from: PID?) async -> Bool {
        guard let process = processes.lookup(name: name) else { return false }
        process.mailbox.enqueue(.message(message))
        return true
    }

    func send(_ message: Term, to registered: Atom, on remote: Atom, from: PID?) async {
        if remote == name {
            await send(message, to: registered, from: from)
            return
        }
        guard let connection = await distribution.connection(to: remote) else { return }
        let sender = from ?? distribution.systemPID ?? PID(node: name, id: 0, serial: 0, creation: creation)
        await connection.deliver(.registeredSend(from: sender, toName: registered), payload: message)
    }

    /// Delivers a message that arrived from another node.
    func deliverLocal(_ message: Term, to pid: PID) {
        guard isLocal(pid) else { return }
        processes.lookup(pid)?.mailbox.enqueue(.message(message))
    }
}
