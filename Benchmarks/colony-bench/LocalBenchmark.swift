import Colony
import ErlangTerm

/// The workloads of erlbench's "local" and "mem" sections, on a Colony node: local send 1→1 and
/// 4→1 of `{msg, Int}` until the receiver has counted them all, and memory per idle process.
enum LocalBenchmark {
    static func run(reps: Int) async {
        let node = Node()
        for senders in [1, 4] {
            var rates: [Double] = []
            for _ in 0..<reps {
                rates.append(await sendThroughput(node: node, senders: senders, total: 2_000_000))
            }
            rates.sort()
            print("LOCAL send_\(senders)to1 \(format(rates[(rates.count - 1) / 2], 0))")
        }
    }

    /// Messages per second from `senders` processes to one receiver.
    static func sendThroughput(node: Node, senders: Int, total: Int) async -> Double {
        let msg = Term.atom("msg")
        let perSender = total / senders
        let expected = perSender * senders
        let done = Completion()
        let receiver = node.spawn { process in
            var count = 0
            while count < expected {
                _ = try await process.receive()
                count += 1
            }
            done.finish()
        }
        let start = ContinuousClock.now
        for _ in 0..<senders {
            node.spawn { process in
                for i in 0..<perSender {
                    await process.send(.tuple([msg, .integer(i)]), to: receiver)
                }
            }
        }
        await done.wait()
        let elapsed = ContinuousClock.now - start
        return Double(expected) / seconds(elapsed)
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
