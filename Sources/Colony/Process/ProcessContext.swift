public import ErlangDistribution
public import ErlangTerm
public import Logging
import NIOCore

/// A process's handle on itself, given to the body that ``Node/spawn(link:monitor:_:)`` runs:
/// its pid, its mailbox (`receive`, with selective receive and timeouts), and the operations
/// whose sender is this process (send, link, monitor, exit).
///
/// A context belongs to its process's task; it is not `Sendable`, so it cannot leak to another
/// task by accident.
public final class ProcessContext {
    let process: LocalProcess
    /// The node the process runs on.
    public let node: Node
    /// Messages taken from the mailbox but not yet received (selective receive skipped them).
    private var saved: [Term] = []
    private var savedHead = 0
    private var batch: [Envelope] = []
    /// The trace label of the message a reactive process is handling, when it came with one.
    var incomingTrace: Term?

    init(process: LocalProcess, node: Node) {
        self.process = process
        self.node = node
    }

    /// This process's pid.
    public var pid: PID { process.pid }

    /// Messages waiting for this process (Erlang's `process_info(self(), message_queue_len)`):
    /// queued, and taken from the queue but not yet handled. A reactor uses it to tell whether
    /// more work is right behind the message it handles.
    public var messageQueueLength: Int { process.messageQueueLength }

    /// A logger whose lines carry this process's `node` and `pid` (and its registered `name`,
    /// if it has one) as metadata.
    public func logger(label: String = "colony.process") -> Logger {
        var logger = Logger(label: label)
        logger[metadataKey: "node"] = "\(node.name)"
        logger[metadataKey: "pid"] = "\(pid)"
        if let name = process.state.withLock({ $0.registeredName }) { logger[metadataKey: "name"] = "\(name)" }
        return logger
    }

    /// Whether exit signals arrive as `{'EXIT', From, Reason}` messages instead of ending the
    /// process (Erlang's `process_flag(trap_exit, true)`).
    public var trapExit: Bool {
        get { process.trapsExits }
        set { process.state.withLock { $0.trapExit = newValue } }
    }

    // MARK: - Receiving

    /// Receives the next message, waiting as long as it takes.
    ///
    /// - Throws: ``ProcessExit`` when an exit signal ends the process while it waits.
    public func receive() async throws -> Term {
        while true {
            if savedHead < saved.count {
                let message = saved[savedHead]
                takeSaved(at: savedHead)
                return message
            }
            try drainMailbox()
            if savedHead < saved.count { continue }
            try await waitForMail()
        }
    }

    /// Receives the next message, or returns `nil` after `timeout` (Erlang's `after`).
    public func receive(timeout: Duration) async throws -> Term? {
        try await receive(timeout: timeout) { $0 }
    }

    /// Selective receive: returns the first message, in arrival order, for which `match` gives a
    /// value; messages it skips stay in the mailbox, in order, for later receives. With a
    /// `timeout`, returns `nil` when no message matches in time; `.zero` only looks at what has
    /// already arrived.
    public func receive<T>(timeout: Duration? = nil, matching match: (Term) throws -> T?) async throws -> T? {
        // First the messages skipped by earlier receives.
        var index = savedHead
        while index < saved.count {
            if let value = try match(saved[index]) {
                takeSaved(at: index)
                return value
            }
            index += 1
        }
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var timer: UInt64?
        defer { if let timer { node.receiveTimers.cancel(timer) } }
        while true {
            let scanFrom = saved.count
            try drainMailbox()
            var index = scanFrom
            while index < saved.count {
                if let value = try match(saved[index]) {
                    takeSaved(at: index)
                    return value
                }
                index += 1
            }
            if let deadline {
                let remaining = deadline - ContinuousClock.now
                if remaining <= .zero { return nil }
                if timer == nil {
                    timer = node.receiveTimers.add(.now() + remaining.timeAmount, wake: process.mailbox)
                }
            }
            try await waitForMail()
        }
    }

    /// Parks until the mailbox has something. A task cancelled by a kill (or by its own
    /// cancellation) picks up the exit signal and ends with `killed`.
    private func waitForMail() async throws {
        await process.mailbox.waitForMessage()
        if Task.isCancelled && !process.trapsExits {
            try drainMailbox()
            throw ProcessExit(.atom(ExitReasons.killed))
        }
    }

    /// Moves everything queued in the mailbox to `saved`, acting on exit signals on the way.
    private func drainMailbox() throws {
        process.mailbox.drain(swapping: &batch)
        guard !batch.isEmpty else { return }
        defer { batch.removeAll(keepingCapacity: true) }
        if savedHead > 0 && savedHead == saved.count {
            saved.removeAll(keepingCapacity: true)
            savedHead = 0
        }
        for envelope in batch {
            switch envelope {
            case .message(let term), .traced(let term, _):
                // A message a selective receive sees loses its trace context.
                saved.append(term)
            case .exit(let from, let reason, let linked):
                if let term = try exitSignal(from: from, reason: reason, linked: linked) { saved.append(term) }
            }
        }
        process.savedCount.store(saved.count - savedHead, ordering: .relaxed)
    }

    /// Erlang's exit-signal rules: `kill` by `exit/2` always kills; a trapping process gets a
    /// message; otherwise `normal` from a link is ignored and anything else ends the process.
    func exitSignal(from: PID, reason: Term, linked: Bool) throws -> Term? {
        if !linked && reason == .atom(ExitReasons.kill) { throw ProcessExit(.atom(ExitReasons.killed)) }
        if process.trapsExits { return .tuple(["EXIT", .pid(from), reason]) }
        if reason == .atom(ExitReasons.normal) {
            // A link's normal exit is ignored; exit(Pid, normal) from another process too, unless
            // it came from this process itself.
            if from == pid && !linked { throw ProcessExit(reason) }
            return nil
        }
        throw ProcessExit(reason)
    }

    /// The oldest message that a selective receive skipped, removed; for a reactive process's
    /// drain loop, which must handle those before asking the mailbox for more.
    func takeOldestSaved() -> Term? {
        guard savedHead < saved.count else { return nil }
        let message = saved[savedHead]
        takeSaved(at: savedHead)
        return message
    }

    private func takeSaved(at index: Int) {
        if index == savedHead {
            savedHead += 1
            if savedHead == saved.count {
                saved.removeAll(keepingCapacity: true)
                savedHead = 0
            }
        } else {
            saved.remove(at: index)
        }
        process.savedCount.store(saved.count - savedHead, ordering: .relaxed)
    }

    // MARK: - Acting as this process

    /// Sends `message` to `pid`, with this process as the sender. Messages from one process to
    /// another arrive in the order they were sent, locally and across nodes. Suspends only to
    /// connect to the pid's node, or while that connection's send queue is full.
    @inlinable
    public func send(_ message: Term, to pid: PID) async {
        switch node.attemptSend(message, to: pid, from: self.pid) {
        case .delivered: return
        case .wait(let connection): await connection.waitForRoom()
        case .connect: await node.send(message, to: pid, from: self.pid)
        }
    }

    /// Sends `message` to the process registered as `name` on this node.
    public func send(_ message: Term, to name: Atom) async {
        await node.send(message, to: name, from: self.pid)
    }

    /// Sends `message` to the process registered as `name` on `remote` (Erlang's `{Name, Node} ! Msg`).
    @inlinable
    public func send(_ message: Term, to name: Atom, on remote: Atom) async {
        switch node.attemptSend(message, to: name, on: remote, from: self.pid) {
        case .delivered: return
        case .wait(let connection): await connection.waitForRoom()
        case .connect: await node.send(message, to: name, on: remote, from: self.pid)
        }
    }

    /// Sends `message` to the process registered as `name` on `remote` only if a connection to
    /// `remote` is open (`erlang:send({Name, Node}, Msg, [noconnect])`): returns false, without
    /// sending or suspending to connect, when it is not.
    @discardableResult
    public func sendIfConnected(_ message: Term, to name: Atom, on remote: Atom) async -> Bool {
        switch node.attemptSend(message, to: name, on: remote, from: self.pid) {
        case .delivered: return true
        case .wait(let connection):
            await connection.waitForRoom()
            return true
        case .connect: return false
        }
    }

    /// Links this process to `other`. If `other` does not exist, this process receives an exit
    /// signal with reason `noproc`, as in Erlang.
    public func link(_ other: PID) async {
        await node.link(pid, other)
    }

    /// Removes the link to `other`, if any.
    public func unlink(_ other: PID) async {
        node.unlink(pid, other)
    }

    /// Monitors `other`; a `{'DOWN', Ref, process, Pid, Reason}` message arrives when it ends (at
    /// once, with reason `noproc`, if it does not exist).
    @discardableResult
    public func monitor(_ other: PID) async -> Reference {
        await node.monitor(holder: process, target: .pid(other))
    }

    /// Monitors the process registered as `name` on `remote` (this node when `nil`).
    @discardableResult
    public func monitor(name: Atom, on remote: Atom? = nil) async -> Reference {
        await node.monitor(holder: process, target: .name(name, node: remote ?? node.name))
    }

    /// Removes a monitor; a `DOWN` message already delivered stays (use `flush: true` to drop it).
    public func demonitor(_ reference: Reference, flush: Bool = false) async {
        node.demonitor(holder: process, reference: reference)
        if flush {
            _ = try? await receive(timeout: .zero) { message -> Bool? in
                guard case .tuple(let t) = message, t.count == 5, t[0] == "DOWN", t[1] == .reference(reference)
                else { return nil }
                return true
            }
        }
    }

    /// Sends an exit signal to `other` (Erlang's `exit(Pid, Reason)`).
    public func exit(_ other: PID, reason: Term) async {
        await node.exit(other, reason: reason, from: pid)
    }

    /// Registers this process under `name`; `false` when the name is taken or this process has one.
    @discardableResult
    public func register(_ name: Atom) -> Bool {
        node.register(name, pid: pid)
    }

    /// A new reference, unique on this node.
    public func makeReference() -> Reference {
        node.makeReference()
    }
}
