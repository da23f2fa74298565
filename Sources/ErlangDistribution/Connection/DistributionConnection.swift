public import ErlangTerm
public import NIOCore
import Synchronization

/// What a ``DistributionConnection`` reports to its owner (the node).
public protocol DistributionConnectionDelegate: AnyObject, Sendable {
    /// A control message (and its payload) arrived. Called on the connection's event loop, in
    /// arrival order; it should not block.
    func connection(_ connection: DistributionConnection, received control: ControlMessage, payload: Term?)
    /// The connection is gone; called once.
    func connectionClosed(_ connection: DistributionConnection, reason: DisconnectReason)
}

/// One established distribution connection: the channel after a successful handshake, with its
/// outbound encoder and the inbound handler's state.
///
/// Any task may send. A send encodes the message on the calling thread, under the connection's
/// lock, into a buffer shared by all senders; the first send after a flush schedules one flush on
/// the event loop, so the messages of one loop tick leave in one write. When the socket cannot keep
/// up, senders wait until it drains: buffering is bounded. What "cannot keep up" means is NIO's own
/// writability (the channel's `writeBufferWaterMark`, reported by `channelWritabilityChanged`),
/// plus the high-water mark on the buffer not yet handed to the channel.
public final class DistributionConnection: Sendable {
    /// What the handshake established.
    public let handshake: HandshakeResult
    /// The channel.
    public let channel: any Channel
    /// The limit of bytes waiting to be written before senders wait: the channel's high
    /// `writeBufferWaterMark` (set by ``DistributionConnectionHandler/install``), and the bound on
    /// the buffer not yet handed to the channel.
    public let highWaterMark: Int
    /// This connection's identity, unique in the OS process: links and monitors that cross a
    /// connection are recorded against it, so that its loss breaks those and no later one's.
    public let id: UInt64
    /// Messages and bytes each way, when metrics are on.
    public let metrics: ConnectionMetrics?

    private static let nextID = Atomic<UInt64>(1)
    private let retiredFlag = Atomic<Bool>(false)

    private struct Pending: ~Copyable {
        var outbound: DistributionOutbound
        var buffer: ByteBuffer?
        var flushScheduled = false
        var wroteSinceTick = false
        var closed = false
        var requestedCloseReason: DisconnectReason?
        /// The channel's writability, as NIO last reported it.
        var writable = true
        var waiters: [UnsafeContinuation<Void, Never>] = []

        /// Whether a sender may go on: the channel is writable and what is not yet handed to it
        /// is under the high-water mark.
        func hasRoom(_ highWaterMark: Int) -> Bool {
            writable && (buffer?.readableBytes ?? 0) <= highWaterMark
        }
    }

    private let pending: Mutex<Pending>

    /// A connection over `channel`, whose handshake gave `handshake`.
    public init(
        channel: any Channel, handshake: HandshakeResult, fragmentSize: Int = 256 * 1024, highWaterMark: Int = 4 << 20,
        metrics: ConnectionMetrics? = nil
    ) {
        self.metrics = metrics
        self.channel = channel
        self.handshake = handshake
        self.highWaterMark = highWaterMark
        self.id = Self.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        self.pending = Mutex(
            Pending(
                outbound: DistributionOutbound(
                    fragmentSize: fragmentSize, fragmentsAllowed: handshake.flags.contains(.fragments))))
    }

    /// The peer's node name.
    public var peerName: String { handshake.peerName }

    /// Sends a control message and its payload. Returns when the message is queued; waits first
    /// while the queue is over the high-water mark. A message that cannot be encoded (a
    /// non-finite float) is not sent, and the error says why.
    public func send(_ control: ControlMessage, payload: Term?) async throws(ETFError) {
        if try enqueue(control, payload: payload) { await waitForRoom() }
    }

    /// Queues a message without waiting; returns `true` when the queue is over the high-water
    /// mark, and the sender should call ``waitForRoom()`` before sending more.
    public func enqueue(_ control: ControlMessage, payload: Term?) throws(ETFError) -> Bool {
        let (queued, schedule, mustWait) = try pending.withLock { state throws(ETFError) -> (Bool, Bool, Bool) in
            guard !state.closed else { return (false, false, false) }
            if state.buffer == nil { state.buffer = channel.allocator.buffer(capacity: 512) }
            try state.outbound.write(control, payload: payload, into: &state.buffer!)
            state.wroteSinceTick = true
            let schedule = !state.flushScheduled
            state.flushScheduled = true
            return (true, schedule, !state.hasRoom(highWaterMark))
        }
        if schedule { channel.eventLoop.execute { self.flush() } }
        if queued { metrics?.messagesSent.increment() }
        return mustWait
    }

    /// Waits until the channel is writable again and the unflushed buffer is under the high-water
    /// mark (or the connection closed).
    public func waitForRoom() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let resumeNow = pending.withLock { state -> Bool in
                if state.closed || state.hasRoom(highWaterMark) { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Writes what senders queued. Runs on the event loop.
    func flush() {
        let (buffer, waiters) = pending.withLock { state -> (ByteBuffer?, [UnsafeContinuation<Void, Never>]) in
            state.flushScheduled = false
            let buffer = state.buffer
            state.buffer = nil
            // The buffer is the channel's now: senders wait only on its writability.
            guard state.writable, !state.waiters.isEmpty else { return (buffer, []) }
            defer { state.waiters = [] }
            return (buffer, state.waiters)
        }
        if let buffer, buffer.readableBytes > 0 {
            metrics?.bytesSent.increment(by: buffer.readableBytes)
            channel.writeAndFlush(buffer, promise: nil)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// NIO reports the channel's writability (its `writeBufferWaterMark`). Runs on the event loop:
    /// a channel writable again releases the senders waiting for room.
    public func writabilityChanged(isWritable: Bool) {
        let waiters = pending.withLock { state -> [UnsafeContinuation<Void, Never>] in
            state.writable = isWritable
            guard state.hasRoom(highWaterMark) else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Whether anything was sent since the last call (for the ticker).
    func takeWroteSinceTick() -> Bool {
        pending.withLock { state in
            defer { state.wroteSinceTick = false }
            return state.wroteSinceTick
        }
    }

    /// Marks the connection closed and releases waiting senders; later sends are dropped.
    func markClosed() {
        let waiters = pending.withLock { state -> [UnsafeContinuation<Void, Never>] in
            state.closed = true
            state.buffer = nil
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Whether the connection is still open.
    public var isOpen: Bool { pending.withLock { !$0.closed } }

    /// Whether the connection was retired: replaced by a newer one to the same node.
    public var isRetired: Bool { retiredFlag.load(ordering: .acquiring) }

    /// Retires the connection because a newer one to the same node replaces it: from now on it
    /// delivers no frame it reads and sends nothing, so nothing it carried can arrive after what
    /// the newer one carries; then it closes.
    public func retire() {
        retiredFlag.store(true, ordering: .releasing)
        markClosed()
        close(reason: .replaced)
    }

    /// Closes the connection; `reason` is what the delegate's `connectionClosed` will report.
    public func close(reason: DisconnectReason = .disconnect) {
        pending.withLock { state in
            if state.requestedCloseReason == nil { state.requestedCloseReason = reason }
        }
        channel.close(promise: nil)
    }

    /// The reason given to ``close(reason:)``, if the node closed the connection.
    var requestedCloseReason: DisconnectReason? { pending.withLock { $0.requestedCloseReason } }
}
