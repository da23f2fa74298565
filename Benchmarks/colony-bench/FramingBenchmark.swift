import ErlangDistribution
import ErlangTerm
import Foundation
import NIOCore

/// The connection codecs alone, without sockets: encode a message into frames and decode them back.
enum FramingBenchmark {
    static func run(reps: Int) {
        let to = PID(node: "b@127.0.0.1", id: 1, serial: 0, creation: 1)
        let only = ProcessInfo.processInfo.environment["FRAMING_ONLY"].flatMap(Int.init)
        for size in [0, 1024, 65536] where only == nil || only == size {
            let payload: Term =
                size == 0 ? .tuple(["msg", 1]) : .tuple(["msg", 1, .binary([UInt8](repeating: 0xAB, count: size))])
            let count = size == 65536 ? 20_000 : 200_000
            var best: [Double] = []
            for _ in 0..<reps {
                var outbound = DistributionOutbound()
                var inbound = DistributionInbound()
                var buffer = ByteBufferAllocator().buffer(capacity: 1 << 20)
                let start = ContinuousClock.now
                for _ in 0..<count {
                    buffer.clear()
                    try! outbound.write(.registeredSend(from: to, toName: "sink"), payload: payload, into: &buffer)
                    while let length = buffer.readInteger(as: UInt32.self) {
                        let frame = buffer.readSlice(length: Int(length))!
                        blackHole(try! inbound.receive(frame: frame))
                    }
                }
                best.append(Double(count) / seconds(ContinuousClock.now - start))
            }
            best.sort()
            print("FRAMING payload_\(size) \(format(best[(best.count - 1) / 2], 0)) msgs/s")
        }
    }
}
