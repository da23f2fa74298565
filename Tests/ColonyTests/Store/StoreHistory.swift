import Colony
import ColonyTestSupport
import ErlangTerm
import Foundation
import Synchronization
import Testing

/// A Jepsen-style run against `colony node --store` OS processes: clients read, write and
/// compare-and-set a few keys through `colony_store` while a nemesis kills (`kill -9`), restarts
/// and pauses (`SIGSTOP`/`SIGCONT`) nodes on a schedule drawn from a seed; each key's history
/// must be linearizable.
final class StoreHistory: Sendable {
    typealias Op = HistoryOperation<RegisterModel.Input, RegisterModel.Output>

    let scope: InteropScope
    let names: [Atom]
    let cookie: String
    let epmdPort: Int
    let driver: Node
    let processes: Mutex<[ExternalProcess]>
    let paused = Mutex<Set<Int>>([])
    let started = ContinuousClock.now
    let history = Mutex<[String: [Op]]>([:])
    let nextValue = Atomic<Int>(1)
    let clientsRun = Atomic<Bool>(false)
    static let keyNames = ["k0", "k1", "k2"]
    /// This schedule's keys: fresh ones, so each register starts empty.
    let keys = Mutex<[String]>(keyNames)
    static let table = "jepsen"

    init(scope: InteropScope, prefix: String, count: Int) async throws {
        self.scope = scope
        cookie = "store_history"
        epmdPort = try await scope.startEPMD(.colony)
        names = (0..<count).map { Atom("\(prefix)\($0)@127.0.0.1") }
        processes = Mutex([])
        driver = try await scope.startNode(name: "\(prefix)_driver@127.0.0.1", cookie: cookie, epmdPort: epmdPort)
        var started: [ExternalProcess] = []
        for index in 0..<count { started.append(try await start(index)) }
        processes.withLock { $0 = started }
        for process in started {
            let ready = await process.waitForOutput("store: ready", timeout: .seconds(60))
            try #require(ready, "the store did not become ready: \(InteropScope.describe(process))")
        }
    }

    func directory(_ index: Int) -> String { scope.directory.appendingPathComponent("store-\(index)").path }

    func start(_ index: Int) async throws -> ExternalProcess {
        try await scope.startColonyProcess(
            name: names[index].name, cookie: cookie, epmdPort: epmdPort,
            extra: [
                "--store", Self.table, "--store-voters", names.map(\.name).joined(separator: ","),
                "--store-dir", directory(index),
            ] + names.filter { $0 != names[index] }.flatMap { ["--connect", $0.name] })
    }

    var now: Duration { ContinuousClock.now - started }

    func rpc(_ node: Atom, _ function: Atom, _ arguments: [Term]) async throws -> Term {
        try await driver.runProcess(timeout: .seconds(5)) {
            try await $0.rpc(node, "colony_store", function, [.string(Self.table)] + arguments, timeout: .seconds(3))
        }
    }

    func record(_ key: String, _ op: Op) { history.withLock { $0[key, default: []].append(op) } }

    /// One client operation on a random key through a random node, recorded with its outcome.
    func operate(_ random: inout SplitMix64) async {
        let key = keys.withLock { $0[random.next(below: $0.count)] }
        let node = names[random.next(below: names.count)]
        let call = now
        switch random.next(below: 3) {
        case 0:
            // A read that fails tells nothing: it is left out.
            guard let answer = try? await rpc(node, "get", [.string(key)]) else { return }
            switch answer {
            case "not_found": record(key, Op(input: .read, output: .value(nil), call: call, ret: now))
            case .tuple(let parts) where parts.count == 2 && parts[0] == "ok":
                record(key, Op(input: .read, output: .value(parts[1].intValue), call: call, ret: now))
            default: return
            }
        case 1:
            let value = nextValue.wrappingAdd(1, ordering: .relaxed).oldValue
            let answer = try? await rpc(node, "put", [.string(key), .integer(value)])
            record(
                key,
                Op(
                    input: .write(value), output: answer == "ok" ? .ok : nil, call: call,
                    ret: answer == "ok" ? now : nil))
        default:
            let value = nextValue.wrappingAdd(1, ordering: .relaxed).oldValue
            // Expect what this client last saw for the key, or nothing.
            let expected: Int? = history.withLock { ops in
                ops[key]?.last { if case .value = $0.output { true } else { false } }.flatMap {
                    if case .value(let value) = $0.output { value } else { nil }
                }
            }
            let answer = try? await rpc(
                node, "cas", [.string(key), expected.map { .integer($0) } ?? "not_found", .integer(value)])
            let input = RegisterModel.Input.compareAndSet(expected: expected, new: value)
            switch answer {
            case "ok":
                record(key, Op(input: input, output: .ok, call: call, ret: now))
            case .tuple(let parts) where parts.count == 2 && parts[0] == "error":
                if case .tuple(let reason) = parts[1], reason.count == 2, reason[0] == "mismatch" {
                    let current = reason[1] == "not_found" ? nil : reason[1].intValue
                    record(key, Op(input: input, output: .mismatch(current: current), call: call, ret: now))
                } else {
                    record(key, Op(input: input, output: nil, call: call, ret: nil))
                }
            default:
                record(key, Op(input: input, output: nil, call: call, ret: nil))
            }
        }
    }

    /// The nemesis: `faults` rounds, each killing and restarting, or pausing and resuming, one
    /// node, or leaving the cluster alone.
    func nemesis(seed: UInt64, faults: Int) async throws {
        var random = SplitMix64(seed: seed ^ 0x4E4D)
        for _ in 0..<faults {
            let victim = random.next(below: names.count)
            switch random.next(below: 3) {
            case 0:
                processes.withLock { $0[victim] }.kill()
                try await Task.sleep(for: .milliseconds(300 + random.next(below: 700)))
                let restarted = try await start(victim)
                processes.withLock { $0[victim] = restarted }
            case 1:
                let process = processes.withLock { $0[victim] }
                process.signal(SIGSTOP)
                try await Task.sleep(for: .milliseconds(500 + random.next(below: 1500)))
                process.signal(SIGCONT)
            default:
                try await Task.sleep(for: .milliseconds(500))
            }
            try await Task.sleep(for: .milliseconds(200 + random.next(below: 500)))
        }
    }

    /// One schedule: clients run while the nemesis acts, then a final read of every key once
    /// all nodes are back; returns each key's verdict.
    func schedule(seed: UInt64, clients: Int = 5, faults: Int = 3) async throws {
        history.withLock { $0 = [:] }
        keys.withLock { $0 = Self.keyNames.map { "s\(seed)-\($0)" } }
        clientsRun.store(true, ordering: .relaxed)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    var random = SplitMix64(seed: seed &* 31 &+ UInt64(client))
                    while self.clientsRun.load(ordering: .relaxed) { await self.operate(&random) }
                }
            }
            try await nemesis(seed: seed, faults: faults)
            clientsRun.store(false, ordering: .relaxed)
            try await group.waitForAll()
        }
        // Everything acknowledged must still be there: a final linearizable read of each key,
        // retried until the healed cluster answers.
        for key in keys.withLock({ $0 }) {
            var read = false
            for attempt in 0..<40 where !read {
                let call = now
                if let answer = try? await rpc(names[attempt % names.count], "get", [.string(key)]) {
                    if answer == "not_found" {
                        record(key, Op(input: .read, output: .value(nil), call: call, ret: now))
                        read = true
                    } else if case .tuple(let parts) = answer, parts.count == 2, parts[0] == "ok" {
                        record(key, Op(input: .read, output: .value(parts[1].intValue), call: call, ret: now))
                        read = true
                    }
                }
                if !read { try await Task.sleep(for: .milliseconds(250)) }
            }
            #expect(read, "seed \(seed): no final read of \(key)")
        }
        let all = history.withLock { $0 }
        var acknowledged = 0
        for (key, ops) in all.sorted(by: { $0.key < $1.key }) {
            acknowledged += ops.count { $0.output != nil && $0.ret != nil }
            let verdict = Linearizability.check(RegisterModel(), ops)
            if verdict != true, let path = ProcessInfo.processInfo.environment["COLONY_HISTORY_DUMP"] {
                let lines = ops.sorted { $0.call < $1.call }.map {
                    "\($0.call) \($0.ret.map { "\($0)" } ?? "inf") \($0.input) \(String(describing: $0.output))"
                }
                try? lines.joined(separator: "\n").write(
                    toFile: "\(path)-\(seed)-\(key)", atomically: true, encoding: .utf8)
            }
            #expect(
                verdict == true,
                "seed \(seed): \(key)'s history of \(ops.count) operations is \(verdict.map { $0 ? "linearizable" : "NOT linearizable" } ?? "too long to check")"
            )
        }
        #expect(acknowledged > 10, "seed \(seed): only \(acknowledged) operations completed")
    }
}
