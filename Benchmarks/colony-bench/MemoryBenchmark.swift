import Colony
import ErlangTerm
import Foundation

/// Memory per idle process: RSS growth while 100,000 processes wait in `receive`.
enum MemoryBenchmark {
    /// `kind` is "processes" or "reactors"; each is measured in a fresh OS process, so that the
    /// one does not inherit the other's freed memory.
    static func run(kind: String) async {
        let node = Node()
        let count = 100_000
        if kind == "reactors" {
            await reactors(node: node, count: count)
            return
        }
        let before = RemoteBenchmark.rss(of: getpid())
        let ready = Completion()
        let counter = Counter(target: count, done: ready)
        var pids: [PID] = []
        pids.reserveCapacity(count)
        for _ in 0..<count {
            pids.append(
                node.spawn { process in
                    counter.increment()
                    _ = try await process.receive()
                })
        }
        await ready.wait()
        try? await Task.sleep(for: .milliseconds(500))
        let after = RemoteBenchmark.rss(of: getpid())
        print("MEM bytes_per_idle_process \(format(Double(after - before) / Double(count), 0))")
        for pid in pids { await node.send("stop", to: pid) }
    }

    /// Reactive processes: each handles one message, then sits idle with no task. Messages go
    /// out in waves of 1,000, so that the measurement is the idle footprint, not the peak of
    /// 100,000 drain tasks running at once.
    static func reactors(node: Node, count: Int) async {
        let before = RemoteBenchmark.rss(of: getpid())
        var reactors: [PID] = []
        reactors.reserveCapacity(count)
        for _ in 0..<count {
            reactors.append(
                node.spawnReactor(initial: 0) { state, message, process in
                    state += 1
                    if case .pid(let from) = message { await process.send("done", to: from) }
                    return .continue
                })
        }
        let waves = Completion()
        let all = reactors
        node.spawn { process in
            var index = 0
            while index < all.count {
                let wave = all[index..<min(index + 1000, all.count)]
                for pid in wave { await process.send(.pid(process.pid), to: pid) }
                for _ in wave { _ = try await process.receive() }
                index += wave.count
            }
            waves.finish()
        }
        await waves.wait()
        try? await Task.sleep(for: .milliseconds(500))
        let after = RemoteBenchmark.rss(of: getpid())
        print("MEM bytes_per_idle_reactor \(format(Double(after - before) / Double(count), 0))")
    }
}

/// Counts processes that reached their receive.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private let target: Int
    private let done: Completion

    init(target: Int, done: Completion) {
        self.target = target
        self.done = done
    }

    func increment() {
        let reached = lock.withLock { () -> Bool in
            count += 1
            return count == target
        }
        if reached { done.finish() }
    }
}
