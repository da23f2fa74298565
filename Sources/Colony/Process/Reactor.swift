public import ErlangTerm
import Synchronization

/// What a reactive process's handler asks for after a message.
public enum ReactorAction: Sendable {
    /// Wait for the next message.
    case `continue`
    /// End the process with this reason.
    case stop(Term)
}

extension Node {
    /// Starts a reactive process: it has no task while its mailbox is empty. A message that finds
    /// it idle starts one task, which runs `handler` for each queued message (in order) and ends
    /// when the mailbox is empty again. This is the form for servers that hold state between
    /// messages (GenServer builds on it); an idle one costs a few hundred bytes instead of a
    /// parked task.
    ///
    /// Exit signals follow Erlang's rules: with `trapExit` set (on the context), they reach the
    /// handler as `{'EXIT', From, Reason}`; otherwise an abnormal one ends the process.
    ///
    /// - Parameters:
    ///   - link: a process to link to first (`spawn_link`).
    ///   - initial: the process's state.
    ///   - handler: called with the state, the message and the process's context.
    @discardableResult
    public func spawnReactor<State: Sendable>(
        link: PID? = nil, initial: State,
        _ handler: @escaping @Sendable (inout State, Term, ProcessContext) async throws -> ReactorAction
    ) -> PID {
        spawnReactor(link: link, initial: initial, onExit: nil, handler)
    }

    /// ``spawnReactor(link:initial:_:)`` with `onExit`, called with the reason when the process
    /// ends on its own (a stop, a thrown error or an exit signal), before links and monitors hear.
    @discardableResult
    func spawnReactor<State: Sendable>(
        link: PID?, initial: State, onExit: (@Sendable (Term) -> Void)?,
        _ handler: @escaping @Sendable (inout State, Term, ProcessContext) async throws -> ReactorAction
    ) -> PID {
        let reactor = Reactor(node: self, state: initial, onExit: onExit, handler: handler)
        let process = processes.add(node: name, creation: creation, schedule: { reactor.scheduleDrain() })
        reactor.attach(process)
        if let link { linkAtSpawn(process, to: link) }
        return process.pid
    }
}

/// The runtime side of a reactive process. Its state and context are touched only by the one
/// drain task that runs at a time (the mailbox guarantees it), hence `@unchecked Sendable`.
final class Reactor<State: Sendable>: @unchecked Sendable {
    let node: Node
    var state: State
    let handler: @Sendable (inout State, Term, ProcessContext) async throws -> ReactorAction
    let onExit: (@Sendable (Term) -> Void)?
    private var process: LocalProcess?
    private var context: ProcessContext?
    private var batch: [Envelope] = []

    init(
        node: Node, state: State, onExit: (@Sendable (Term) -> Void)? = nil,
        handler: @escaping @Sendable (inout State, Term, ProcessContext) async throws -> ReactorAction
    ) {
        self.node = node
        self.state = state
        self.onExit = onExit
        self.handler = handler
    }

    func attach(_ process: LocalProcess) {
        self.process = process
        self.context = ProcessContext(process: process, node: node)
    }

    /// Counts drain tasks, so that a finished one clears only its own handle.
    private let generation = Atomic<UInt64>(0)

    /// Starts a drain task; the mailbox calls it when a message finds the process idle.
    func scheduleDrain() {
        guard let process else { return }
        let mine = generation.wrappingAdd(1, ordering: .relaxed).newValue
        process.task.withLock { task in
            task = Task(executorPreference: node.taskExecutor) { await self.drain(generation: mine) }
        }
    }

    private func drain(generation mine: UInt64) async {
        guard let process, let context else { return }
        defer {
            // An idle reactor holds no task, not even a finished one's handle.
            process.task.withLock { task in
                if generation.load(ordering: .relaxed) == mine { task = nil }
            }
        }
        var reason: Term?
        outer: while true {
            // Before going idle, give the process that just got an answer one turn: a caller in a
            // call loop sends its next request meanwhile, and this drain task takes it instead of
            // the mailbox starting a new task for it.
            if process.mailbox.isEmpty { await Task.yield() }
            guard process.mailbox.drainOrIdle(swapping: &batch) else { break }
            defer { batch.removeAll(keepingCapacity: true) }
            var index = 0
            // The batch first, then what a selective receive inside the handler skipped: those
            // arrived after the batch. Only then back to the mailbox.
            while true {
                let message: Term
                do {
                    if index < batch.count {
                        let envelope = batch[index]
                        index += 1
                        process.batchRemaining.store(batch.count - index, ordering: .relaxed)
                        switch envelope {
                        case .message(let term):
                            message = term
                            context.incomingTrace = nil
                        case .traced(let term, let label):
                            message = term
                            context.incomingTrace = label
                        case .exit(let from, let exitReason, let linked):
                            guard let term = try context.exitSignal(from: from, reason: exitReason, linked: linked)
                            else { continue }
                            message = term
                        }
                    } else if let skipped = context.takeOldestSaved() {
                        message = skipped
                        context.incomingTrace = nil
                    } else {
                        break
                    }
                    if case .stop(let stopReason) = try await handler(&state, message, context) {
                        reason = stopReason
                        break outer
                    }
                } catch {
                    reason = ProcessExit.reason(for: error)
                    break outer
                }
            }
        }
        if let reason {
            onExit?(reason)
            node.terminate(process, reason: reason)
        }
    }
}
