import Colony
import ErlangTerm

/// The workloads of erlbench's "local" and "mem" sections, on a Colony node: local send 1→1 and
/// 4→1 of `{msg, Int}` until the receiver has counted them all, and memory per idle process; and
/// ping-pong between two receive-loop processes (round trips per second).
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
        SchedulerReport.print(after: "send", node: node)
        var rates: [Double] = []
        for _ in 0..<reps {
            rates.append(await pingPong(node: node, rounds: 200_000))
        }
        rates.sort()
        print("LOCAL ping_pong \(format(rates[(rates.count - 1) / 2], 0))")
        SchedulerReport.print(after: "ping_pong", node: node)
    }

    /// Round trips per second between two processes that each wait in `receive`.
    static func pingPong(node: Node, rounds: Int) async -> Double {
        let done = Completion()
        let elapsed = Box<Duration>()
        let echo = node.spawn { process in
            while true {
                guard case .tuple(let t) = try await process.receive(), t.count == 2, case .pid(let from) = t[0]
                else { return }
                await process.send(t[1], to: from)
            }
        }
        node.spawn { process in
            let start = ContinuousClock.now
            for i in 0..<rounds {
                await process.send(.tuple([.pid(process.pid), .integer(i)]), to: echo)
                _ = try await process.receive()
            }
            elapsed.value = ContinuousClock.now - start
            await process.send("stop", to: echo)
            done.finish()
        }
        await done.wait()
        return Double(rounds) / seconds(elapsed.value ?? .seconds(1))
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
