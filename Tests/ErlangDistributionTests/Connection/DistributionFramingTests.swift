import ErlangDistribution
import ErlangTerm
import NIOCore
import Testing

/// The connection codecs without sockets: what the outbound side writes, the inbound side reads
/// back, with the atom cache, fragments and hostile frames.
@Suite("Distribution framing")
struct DistributionFramingTests {
    let a = PID(node: "a@127.0.0.1", id: 42, serial: 0, creation: 7)
    let b = PID(node: "b@127.0.0.1", id: 43, serial: 1, creation: 9)

    /// Splits length-prefixed frames.
    func frames(_ buffer: ByteBuffer) -> [ByteBuffer] {
        var buffer = buffer
        var frames: [ByteBuffer] = []
        while let length = buffer.readInteger(as: UInt32.self) {
            frames.append(buffer.readSlice(length: Int(length))!)
        }
        #expect(buffer.readableBytes == 0)
        return frames
    }

    @Test("messages round-trip, and the second use of an atom is a two-byte cache reference")
    func atomCache() throws {
        var outbound = DistributionOutbound()
        var inbound = DistributionInbound()
        let message: Term = .tuple(["hello_atom_cache", 1, .pid(a)])
        var first = ByteBufferAllocator().buffer(capacity: 256)
        try outbound.write(.sendSender(from: a, to: b), payload: message, into: &first)
        var second = ByteBufferAllocator().buffer(capacity: 256)
        try outbound.write(.sendSender(from: a, to: b), payload: message, into: &second)
        #expect(second.readableBytes < first.readableBytes - 20)
        for buffer in [first, second] {
            for frame in frames(buffer) {
                #expect(try inbound.receive(frame: frame) == .message(.sendSender(from: a, to: b), payload: message))
            }
        }
    }

    @Test("every control message survives the trip", arguments: 0..<9)
    func controlMessages(index: Int) throws {
        let ref = Reference(node: "a@127.0.0.1", creation: 7, ids: [1, 2, 3])
        let cases: [(ControlMessage, Term?)] = [
            (.link(from: a, to: b), nil),
            (.send(to: b), "x"),
            (.registeredSend(from: a, toName: "echo"), .tuple([.pid(a), "ping"])),
            (.monitor(from: a, target: .name("echo"), reference: ref), nil),
            (.demonitor(from: a, target: .pid(b), reference: ref), nil),
            (.payloadMonitorExit(from: .pid(b), to: a, reference: ref), "noproc"),
            (.payloadExit(from: b, to: a), .tuple(["shutdown", 1])),
            (.unlinkID(id: 77, from: a, to: b), nil),
            (.aliasSend(from: a, alias: ref), "reply"),
        ]
        let (control, payload) = cases[index]
        var outbound = DistributionOutbound()
        var inbound = DistributionInbound()
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        try outbound.write(control, payload: payload, into: &buffer)
        let all = frames(buffer)
        #expect(all.count == 1)
        #expect(try inbound.receive(frame: all[0]) == .message(control, payload: payload))
        #expect(ControlMessage(control.term) == control)
    }

    @Test("a long message goes out as fragments and comes back whole")
    func fragments() throws {
        var outbound = DistributionOutbound(fragmentSize: 4096)
        var inbound = DistributionInbound()
        let big: Term = .tuple(["big", .binary([UInt8](repeating: 0x5A, count: 20_000))])
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        try outbound.write(.send(to: b), payload: big, into: &buffer)
        try outbound.write(.send(to: b), payload: "small", into: &buffer)
        let all = frames(buffer)
        #expect(all.count == 6)  // 5 fragments, then the small message
        var events: [DistributionInbound.Event] = []
        for frame in all { events.append(try inbound.receive(frame: frame)) }
        #expect(events.dropLast(2).allSatisfy { $0 == .fragment })
        #expect(events[4] == .message(.send(to: b), payload: big))
        #expect(events[5] == .message(.send(to: b), payload: "small"))
    }

    @Test("an empty frame is a tick")
    func tick() throws {
        var inbound = DistributionInbound()
        #expect(try inbound.receive(frame: ByteBuffer()) == .tick)
    }

    @Test("hostile frames are errors: bad header, empty cache entry, unknown control, stray fragment")
    func hostile() {
        var inbound = DistributionInbound()
        func fails(_ bytes: [UInt8]) -> Bool {
            do {
                _ = try inbound.receive(frame: ByteBuffer(bytes: bytes))
                return false
            } catch {
                return true
            }
        }
        #expect(fails([1, 2, 3]))
        #expect(fails([131, 68, 1, 0x01, 5]))  // cached reference to an empty entry
        #expect(fails([131, 68, 0, 104, 1, 97, 99]))  // {99}: unknown operation
        #expect(fails([131, 70, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]))  // continuation, no start
        #expect(fails([131, 68, 0, 104, 3, 97, 2, 119, 0]))  // truncated control message
        #expect(fails([131, 68, 0, 104, 3, 97, 1, 106, 106]))  // LINK with non-pids
        #expect(fails([131, 68, 0, 104, 3, 97, 2, 119, 0, 88]))  // truncated pid
        var limits = DistributionInbound.Limits()
        limits.maximumMessageSize = 100
        var small = DistributionInbound(limits: limits)
        var outbound = DistributionOutbound()
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        try? outbound.write(.send(to: b), payload: .binary([UInt8](repeating: 1, count: 500)), into: &buffer)
        #expect(throws: DistributionError.self) { try small.receive(frame: frames(buffer)[0]) }
    }

    @Test("a payload that cannot be encoded leaves the cache consistent for later messages")
    func encodingFailure() throws {
        var outbound = DistributionOutbound()
        var inbound = DistributionInbound()
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        #expect(throws: ETFError.self) {
            try outbound.write(.send(to: b), payload: .tuple(["fresh_atom_x", .float(.nan)]), into: &buffer)
        }
        #expect(buffer.readableBytes == 0)
        try outbound.write(.send(to: b), payload: .tuple(["fresh_atom_x", 1]), into: &buffer)
        #expect(
            try inbound.receive(frame: frames(buffer)[0])
                == .message(.send(to: b), payload: .tuple(["fresh_atom_x", 1])))
    }

    @Test("the ticker sends ticks on a quiet connection and gives up after four silent firings")
    func ticker() {
        var ticker = TickStateMachine()
        #expect(ticker.fire(readSinceLast: true, wroteSinceLast: true) == .none)
        #expect(ticker.fire(readSinceLast: true, wroteSinceLast: false) == .sendTick)
        #expect(ticker.fire(readSinceLast: false, wroteSinceLast: true) == .none)
        #expect(ticker.fire(readSinceLast: false, wroteSinceLast: false) == .sendTick)
        #expect(ticker.fire(readSinceLast: false, wroteSinceLast: false) == .sendTick)
        #expect(ticker.fire(readSinceLast: false, wroteSinceLast: false) == .disconnect)
        #expect(TickStateMachine.interval(for: .seconds(60)) == .seconds(15))
    }
}
