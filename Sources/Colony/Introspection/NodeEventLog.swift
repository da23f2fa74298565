import DequeModule
import Foundation
import Synchronization

/// A node's recent ``ObservedEvent``s, newest last, bounded: the oldest go when it is full.
public final class NodeEventLog: Sendable {
    private let events = Mutex(Deque<ObservedEvent>())
    private let node: String
    /// How many events it keeps.
    public let capacity: Int

    /// A log for `node` keeping the last `capacity` events.
    public init(node: String, capacity: Int = 200) {
        self.node = node
        self.capacity = max(1, capacity)
    }

    /// Records an event that happened now.
    public func record(_ kind: ObservedEvent.Kind, subject: String, detail: String) {
        let event = ObservedEvent(
            time: Int64((Date().timeIntervalSince1970 * 1000).rounded()), kind: kind, node: node, subject: subject,
            detail: detail)
        events.withLock { events in
            if events.count == capacity { events.removeFirst() }
            events.append(event)
        }
    }

    /// The last `limit` events, oldest first.
    public func recent(_ limit: Int = 50) -> [ObservedEvent] {
        events.withLock { Array($0.suffix(max(0, limit))) }
    }
}
