public import ErlangTerm
import Synchronization

/// A local, partitioned key–process store: Colony's counterpart of Elixir's `Registry`.
///
/// A registry maps keys (any ``Term``) to processes of its node, each entry with a value. With
/// ``Keys/unique`` keys a key names one process (use it for naming, also through
/// ``ServerRef/via(_:_:)``, since a registry is a ``ProcessNameRegistry``); with
/// ``Keys/duplicate`` keys many processes can register under one key (pub/sub, ``dispatch(_:_:)``).
///
/// ```swift
/// let registry = try Registry.start(on: node, keys: .unique, partitions: 4)
/// try registry.register("room:42", value: .string("lobby"), process: process.pid)
/// registry.lookup("room:42")  // [(pid: <0.8.0>, value: <<"lobby">>)]
/// ```
///
/// Entries go when their process ends, normally or not: each partition has an owner process that
/// monitors the processes registered in it and removes their entries when the `DOWN` message
/// arrives. A registration is visible as soon as ``register(_:value:process:)`` returns; its removal
/// follows the process's end as soon as the owner has handled the `DOWN` message, not at the same
/// instant (as with Elixir, where the partition handles an `EXIT`).
///
/// Partitions: the table is split in `partitions` parts, each with its own lock, by the hash of
/// the key for unique keys and by the hash of the pid for duplicate keys (as Elixir does). An
/// operation on one key of a unique registry locks one partition; a lookup in a duplicate
/// registry visits every partition.
///
/// A registry is local: it refuses processes of other nodes (``RegistryError/notLocal(_:)``).
/// Call ``stop()`` to end its owner processes.
public final class Registry: Sendable {
    /// The node whose processes the registry holds.
    public let node: Node
    /// Whether keys are unique or duplicate.
    public let keys: Keys
    /// The name given at start, if any.
    public let name: Atom?

    let partitions: [RegistryPartition]
    let owners: [LocalProcess]
    let metadata = Mutex<[Term: Term]>([:])
    private let stopping = Atomic<Bool>(false)

    private init(node: Node, keys: Keys, name: Atom?, partitions: [RegistryPartition], owners: [LocalProcess]) {
        self.node = node
        self.keys = keys
        self.name = name
        self.partitions = partitions
        self.owners = owners
    }

    /// Starts a registry on `node`: one owner process per partition.
    ///
    /// - Parameters:
    ///   - node: the node whose processes it will hold.
    ///   - keys: ``Keys/unique`` or ``Keys/duplicate``.
    ///   - partitions: how many independently locked parts the table has (at least 1). More
    ///     partitions let registrations from many tasks proceed in parallel; a duplicate lookup
    ///     visits them all. The number of cores is a good value for a busy registry.
    ///   - name: registers the owner processes on the node as `Name.PIDPartition0`, … (Elixir's
    ///     names), so the registry shows in ``Node/registeredNames`` and a second registry with the
    ///     same name is refused.
    /// - Throws: ``RegistryError/nameTaken(_:)`` when one of those names is taken.
    public static func start(
        on node: Node, keys: Keys, partitions: Int = 1, name: Atom? = nil
    ) throws(RegistryError) -> Registry {
        precondition(partitions >= 1, "a registry needs at least one partition")
        let names = name.map { name in (0..<partitions).map { Atom("\(name.name).PIDPartition\($0)") } }
        if let name, let names, names.contains(where: { node.whereis($0) != nil }) {
            throw .nameTaken(name)
        }
        let tables = (0..<partitions).map { _ in RegistryPartition() }
        let owners = tables.map { RegistryOwner.spawn(on: node, for: $0) }
        if let name, let names {
            for (owner, ownerName) in zip(owners, names) where !node.register(ownerName, pid: owner.pid) {
                // Another registry took the name meanwhile: end what was started.
                for owner in owners {
                    owner.deliverExit(from: owner.pid, reason: .atom(ExitReasons.kill), linked: false)
                }
                throw .nameTaken(name)
            }
        }
        return Registry(node: node, keys: keys, name: name, partitions: tables, owners: owners)
    }

    /// The number of partitions.
    public var partitionCount: Int { partitions.count }

    /// The owner process of each partition, in partition order.
    public var partitionOwners: [PID] { owners.map(\.pid) }

    /// Whether ``stop()`` was called.
    public var isStopped: Bool { stopping.load(ordering: .acquiring) }

    /// Stops the registry: removes every entry and the metadata, refuses further registrations,
    /// and ends the owner processes (exit reason `shutdown`). Returns once they have ended; a
    /// second call returns at once.
    public func stop() async {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for partition in partitions { partition.withTable { $0.close() } }
        metadata.withLock { $0 = [:] }
        let owners = partitionOwners
        // A process of its own waits for the owners' DOWN messages.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            node.spawn { process in
                defer { done.resume() }
                var pending = Set<Reference>()
                for owner in owners { pending.insert(await process.monitor(owner)) }
                for owner in owners { await process.exit(owner, reason: .atom(ExitReasons.shutdown)) }
                while !pending.isEmpty {
                    let down = try await process.receive { message -> Reference? in
                        guard case .tuple(let fields) = message, fields.count == 5, fields[0] == "DOWN",
                            case .reference(let reference) = fields[1], pending.contains(reference)
                        else { return nil }
                        return reference
                    }
                    if let down { pending.remove(down) }
                }
            }
        }
    }

    // MARK: - Routing

    /// The partition that holds `key` (unique keys).
    @inline(__always)
    func partitionIndex(forKey key: Term) -> Int {
        partitions.count == 1 ? 0 : Int(UInt(bitPattern: key.hashValue) % UInt(partitions.count))
    }

    /// The partition that holds `pid`'s entries (duplicate keys).
    @inline(__always)
    func partitionIndex(forProcess pid: PID) -> Int {
        partitions.count == 1 ? 0 : Int(UInt(bitPattern: pid.hashValue) % UInt(partitions.count))
    }

    /// The partition where `pid` registers or unregisters `key`.
    @inline(__always)
    func partitionIndex(for key: Term, process pid: PID) -> Int {
        keys == .unique ? partitionIndex(forKey: key) : partitionIndex(forProcess: pid)
    }
}
