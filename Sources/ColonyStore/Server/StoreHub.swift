public import ErlangTerm
import Synchronization

/// A change applied to a table on this replica.
public struct StoreChange: Sendable, Equatable {
    /// What happened to the key.
    public enum Kind: Sendable, Equatable {
        /// A record was written (for a bag, one of its records).
        case put
        /// The key's records were deleted (or one of a bag's).
        case delete
        /// The key's records expired.
        case expire
    }

    /// The table.
    public var table: String
    /// The key.
    public var key: Term
    /// The value written, for a put.
    public var value: Term?
    /// What happened.
    public var kind: Kind
    /// The log index of the change.
    public var index: UInt64
}

/// What the server shares with the ``Store`` handles outside its process: its status and the
/// change subscribers.
final class StoreHub: Sendable {
    let status: Mutex<StoreStatus>
    /// The replica's tables: the server applies committed commands under the lock, and local
    /// reads evaluate under it without a message to the server.
    let machine = Mutex(StoreMachine())
    private let subscribers = Mutex<[Int: (table: String?, continuation: AsyncStream<StoreChange>.Continuation)]>([:])
    private let nextSubscriber = Atomic<Int>(0)
    private let subscriberCount = Atomic<Int>(0)

    init(node: String) { status = Mutex(StoreStatus(node: node)) }

    var hasSubscribers: Bool { subscriberCount.load(ordering: .relaxed) > 0 }

    func subscribe(table: String?) -> AsyncStream<StoreChange> {
        let (stream, continuation) = AsyncStream<StoreChange>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let id = nextSubscriber.wrappingAdd(1, ordering: .relaxed).oldValue
        subscribers.withLock { $0[id] = (table, continuation) }
        subscriberCount.add(1, ordering: .relaxed)
        continuation.onTermination = { [weak self] _ in
            guard let self, subscribers.withLock({ $0.removeValue(forKey: id) }) != nil else { return }
            subscriberCount.subtract(1, ordering: .relaxed)
        }
        return stream
    }

    func publish(_ changes: [StoreChange]) {
        guard !changes.isEmpty, hasSubscribers else { return }
        let current = subscribers.withLock { Array($0.values) }
        for change in changes {
            for subscriber in current where subscriber.table == nil || subscriber.table == change.table {
                subscriber.continuation.yield(change)
            }
        }
    }

    func finish() {
        let all = subscribers.withLock { all in
            defer { all = [:] }
            return Array(all.values)
        }
        for subscriber in all { subscriber.continuation.finish() }
    }
}
