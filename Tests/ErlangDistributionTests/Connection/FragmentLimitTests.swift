import ErlangDistribution
import ErlangTerm
import NIOCore
import Testing

/// Fragment reassembly is bounded per connection and per node, first fragments included.
@Suite("Distribution framing: fragment limits")
struct FragmentLimitTests {
    let b = PID(node: "b@127.0.0.1", id: 43, serial: 1, creation: 9)

    /// The frames of one 20 KB message cut into 4 KiB fragments.
    func fragmentedMessage() throws -> [ByteBuffer] {
        var outbound = DistributionOutbound(fragmentSize: 4096)
        var buffer = ByteBufferAllocator().buffer(capacity: 32_000)
        try outbound.write(.send(to: b), payload: .binary([UInt8](repeating: 1, count: 20_000)), into: &buffer)
        var frames: [ByteBuffer] = []
        while let length = buffer.readInteger(as: UInt32.self) { frames.append(buffer.readSlice(length: Int(length))!) }
        return frames
    }

    @Test("a connection whose open sequences would hold more than its limit is refused")
    func perConnection() throws {
        var limits = DistributionInbound.Limits()
        limits.maximumPartialBytes = 10_000
        var inbound = DistributionInbound(limits: limits)
        let frames = try fragmentedMessage()
        #expect(try inbound.receive(frame: frames[0]) == .fragment)
        #expect(try inbound.receive(frame: frames[1]) == .fragment)
        #expect(throws: DistributionError.self) {
            for frame in frames.dropFirst(2) { _ = try inbound.receive(frame: frame) }
        }
    }

    @Test("all connections together stay within the node's budget; a finished or closed one gives back")
    func perNode() throws {
        let budget = FragmentBudget(limit: 20_000)
        var limits = DistributionInbound.Limits()
        limits.nodeBudget = budget
        var first = DistributionInbound(limits: limits)
        var second = DistributionInbound(limits: limits)
        let frames = try fragmentedMessage()
        // The first connection completes a message: it holds nothing afterwards.
        for frame in frames { _ = try first.receive(frame: frame) }
        #expect(budget.inUse == 0)
        // It opens another and holds two fragments' worth.
        _ = try first.receive(frame: frames[0])
        _ = try first.receive(frame: frames[1])
        #expect(budget.inUse == first.partialBytes && budget.inUse > 4096)
        // The second connection's sequence would pass the node's budget.
        #expect(throws: DistributionError.self) {
            for frame in frames { _ = try second.receive(frame: frame) }
        }
        second.releaseAll()
        first.releaseAll()
        #expect(budget.inUse == 0)
    }
}
