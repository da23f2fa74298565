import HeapModule
import NIOCore
import Synchronization

/// The deadlines of every `receive` with a timeout on a node, behind one event-loop timer.
///
/// Scheduling an event-loop task for each `receive(timeout:)` wakes the event loop's thread twice
/// (schedule and cancel), which costs more than the call it guards. Here a deadline is a heap push
/// under a mutex; the one event-loop timer is moved only when a deadline earlier than the armed
/// one arrives. A cancelled deadline stays in the heap until it is popped or the heap is compacted.
final class ReceiveTimers: Sendable {
    private struct Deadline: Comparable {
        var instant: NIODeadline
        var id: UInt64
        static func < (lhs: Deadline, rhs: Deadline) -> Bool { lhs.instant < rhs.instant }
    }

    private struct State: ~Copyable {
        var heap = Heap<Deadline>()
        /// Deadlines not yet cancelled or fired.
        var live: [UInt64: (instant: NIODeadline, mailbox: Mailbox)] = [:]
        var nextID: UInt64 = 0
        /// When the armed event-loop timer fires, if one is armed.
        var armedFor: NIODeadline?
    }

    private let state = Mutex(State())
    private let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Wakes `mailbox` at `instant` unless cancelled first; returns the handle to cancel with.
    func add(_ instant: NIODeadline, wake mailbox: Mailbox) -> UInt64 {
        let (id, arm) = state.withLock { state -> (UInt64, Bool) in
            let id = state.nextID
            state.nextID &+= 1
            state.heap.insert(Deadline(instant: instant, id: id))
            state.live[id] = (instant, mailbox)
            if let armed = state.armedFor, armed <= instant { return (id, false) }
            state.armedFor = instant
            return (id, true)
        }
        if arm { schedule(at: instant) }
        return id
    }

    /// Cancels a deadline; it will not wake its mailbox.
    func cancel(_ id: UInt64) {
        state.withLock { state in
            guard state.live.removeValue(forKey: id) != nil else { return }
            // Cancelled entries wait in the heap for their time; rebuild when they dominate.
            if state.heap.count > 1024 && state.heap.count > 4 * state.live.count {
                state.heap = Heap(state.live.map { Deadline(instant: $0.value.instant, id: $0.key) })
            }
        }
    }

    private func schedule(at instant: NIODeadline) {
        eventLoop.scheduleTask(deadline: instant) { self.fire() }
    }

    /// Wakes the mailboxes whose deadline has passed and arms the timer for the next one.
    private func fire() {
        let now = NIODeadline.now()
        let (due, next) = state.withLock { state -> ([Mailbox], NIODeadline?) in
            var due: [Mailbox] = []
            while let first = state.heap.min, first.instant <= now {
                _ = state.heap.removeMin()
                if let entry = state.live.removeValue(forKey: first.id) { due.append(entry.mailbox) }
            }
            // Skip cancelled entries at the top so the timer is armed for a live deadline.
            while let first = state.heap.min, state.live[first.id] == nil { _ = state.heap.removeMin() }
            let next = state.heap.min?.instant
            if let armed = state.armedFor, armed > now, next.map({ armed <= $0 }) ?? true {
                // An earlier timer than this one is still armed; it will handle the rest.
                return (due, nil)
            }
            state.armedFor = next
            return (due, next)
        }
        for mailbox in due { mailbox.wake() }
        if let next { schedule(at: next) }
    }
}
