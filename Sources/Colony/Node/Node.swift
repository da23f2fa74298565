public import ErlangTerm
public import NIOCore
public import NIOPosix
import Synchronization

/// A Colony node: a named runtime of lightweight processes that talk by messages, locally and
/// (once distribution is started) with other Colony, Erlang and Elixir nodes.
///
/// ```swift
/// let node = Node()                       // nonode@nohost, local only
/// let echo = node.spawn { process in
///     while true {
///         let message = try await process.receive()
///         if case .tuple(let t) = message, t.count == 2, case .pid(let from) = t[0] {
///             await process.send(.tuple([.pid(process.pid), t[1]]), to: from)
///         }
///     }
/// }
/// ```
public final class Node: Sendable {
    /// The node's name (`name@host`), or `nonode@nohost` when it is not distributed.
    public let name: Atom
    /// The node's creation: tells this incarnation's pids and references from an earlier one's.
    public let creation: UInt32
    /// The event loops that timers and network I/O run on.
    public let eventLoopGroup: any EventLoopGroup
    /// Where the node's processes run.
    public let execution: ProcessExecution
    /// The executor preference of every process's task (`nil`: Swift's global executor).
    let taskExecutor: (any TaskExecutor)?

    let processes = ProcessTable()
    let aliases = AliasTable()
    /// The deadlines of `receive`s with a timeout.
    let receiveTimers: ReceiveTimers
    /// Swift functions other nodes may run here by name (remote tasks, rpc).
    public let functions = FunctionRegistry()
    /// Closures handed to a local task supervisor, waiting for it to start their task.
    let taskBodies = TaskBodyTable()
    let distribution: Distribution
    /// The supervisors running here, for observers (see ``snapshot(topProcesses:using:)``).
    let supervisors = Mutex<Set<PID>>([])
    /// The registry that ``ServerRef/global(_:)`` and ``ServerName/global(_:)`` resolve through,
    /// once global names run on this node.
    let globalRegistry = Mutex<(any ProcessNameRegistry)?>(nil)
    private let referenceCounter = Atomic<UInt64>(1)

    /// A node that is not distributed: `nonode@nohost`, processes and messages on this host only.
    ///
    /// - Parameters:
    ///   - eventLoopGroup: the event loops for timers.
    ///   - execution: where processes run; by default the shared ``ProcessScheduler``.
    public convenience init(
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        execution: ProcessExecution = .default
    ) {
        self.init(
            name: .noNode, creation: 0, eventLoopGroup: eventLoopGroup, execution: execution,
            distribution: Distribution(disabledFor: .noNode, group: eventLoopGroup))
    }

    init(
        name: Atom, creation: UInt32, eventLoopGroup: any EventLoopGroup, execution: ProcessExecution,
        distribution: Distribution
    ) {
        self.name = name
        self.creation = creation
        self.eventLoopGroup = eventLoopGroup
        self.execution = execution
        self.taskExecutor = execution.taskExecutor
        self.distribution = distribution
        self.receiveTimers = ReceiveTimers(eventLoop: eventLoopGroup.any())
        registerBuiltinFunctions()
    }

    /// Whether `pid` belongs to this node (this incarnation).
    @inline(__always)
    func isLocal(_ pid: PID) -> Bool {
        pid.node == name && pid.creation == creation
    }

    /// A new reference, unique on this node: three words, as OTP makes them.
    public func makeReference() -> Reference {
        let n = referenceCounter.wrappingAdd(1, ordering: .relaxed).oldValue
        return Reference(
            node: name, creation: creation,
            ids: [
                UInt32(truncatingIfNeeded: n) & 0x3FFFF, UInt32(truncatingIfNeeded: n >> 18),
                UInt32(truncatingIfNeeded: n >> 50),
            ])
    }

    /// The number of live processes.
    public var processCount: Int { processes.count }

    /// The names registered on this node.
    public var registeredNames: [Atom] { processes.registeredNames }

    /// The pid registered as `name`, if any (Erlang's `whereis/1`).
    public func whereis(_ name: Atom) -> PID? {
        processes.lookup(name: name)?.pid
    }

    /// Registers `pid` (a live local process) as `name`. Fails when the name is taken or the
    /// process has a name already.
    @discardableResult
    public func register(_ name: Atom, pid: PID) -> Bool {
        guard isLocal(pid), let process = processes.lookup(pid) else { return false }
        return processes.register(name, process)
    }

    /// Removes a registered name.
    @discardableResult
    public func unregister(_ name: Atom) -> Bool {
        processes.unregister(name)
    }

    /// Whether a local process is alive.
    public func isAlive(_ pid: PID) -> Bool {
        guard isLocal(pid), let process = processes.lookup(pid) else { return false }
        return !process.hasExited
    }
}
