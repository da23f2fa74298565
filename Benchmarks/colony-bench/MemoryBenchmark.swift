import Colony
import ErlangTerm
import Foundation

/// Memory per idle process: RSS growth while 100,000 processes wait in `receive`.
enum MemoryBenchmark {
    static func run() async {
        let node = Node()
        let count = 100_000
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

        // Reactive processes: each handles one message, then sits idle with no task.
        let reactorsBefore = RemoteBenchmark.rss(of: getpid())
        let handled = Completion()
        let handledCounter = Counter(target: count, done: handled)
        var reactors: [PID] = []
        reactors.reserveCapacity(count)
        for _ in 0..<count {
            reactors.append(
                node.spawnReactor(initial: 0) { state, _, _ in
                    state += 1
                    handledCounter.increment()
                    return .continue
                })
        }
        for pid in reactors { await node.send("hello", to: pid) }
        await handled.wait()
        try? await Task.sleep(for: .milliseconds(500))
        let reactorsAfter = RemoteBenchmark.rss(of: getpid())
        print("MEM bytes_per_idle_reactor \(format(Double(reactorsAfter - reactorsBefore) / Double(count), 0))")
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
