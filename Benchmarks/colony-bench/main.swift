// colony-bench: Colony's side of scripts/bench. Prints machine-readable lines that scripts/bench
// sets beside OTP's figures. A benchmark, never a test: it asserts nothing.
//
//   colony-bench etf REPS ITERS   ->  "ETF <workload> <op> <ops/s> <MB/s> <bytes>"
//   colony-bench local REPS       ->  "LOCAL <workload> <msgs/s>" (sends, then GenServer calls)
//   colony-bench remote REPS EPMDPORT -> "REMOTE <workload> <value> <MB/s>" (starts its own peer)
//   colony-bench memory           ->  "MEM bytes_per_idle_process <bytes>"
//   colony-bench pg REPS COUNT    ->  "PG join_propagation <count> <milliseconds>"
//   colony-bench tls-files DIR    ->  a CA, node.pem/node.key and ssl_dist.conf in DIR, for
//                                     COLONY_BENCH_TLS_DIR and OTP's -ssl_dist_optfile
import ColonyTLS
import ErlangTerm
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: colony-bench etf REPS ITERS")
    exit(2)
}

switch arguments[1] {
case "tls-files":
    try TLSClusterFiles.create(in: URL(fileURLWithPath: arguments[2]), hosts: ["127.0.0.1", "localhost"])
case "sink-node":
    try await RemoteBenchmark.sinkNode(name: arguments[2], epmdPort: Int(arguments[3]) ?? 4369)
case "remote":
    let reps = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5
    let port = arguments.count > 3 ? Int(arguments[3]) ?? 43691 : 43691
    try await RemoteBenchmark.run(reps: reps, epmdPort: port)
case "framing":
    FramingBenchmark.run(reps: arguments.count > 2 ? Int(arguments[2]) ?? 3 : 3)
case "memory":
    await MemoryBenchmark.run(kind: arguments.count > 2 ? arguments[2] : "processes")
case "local":
    let reps = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5
    await LocalBenchmark.run(reps: reps)
    await GenServerBenchmark.runLocal(reps: reps)
case "pg":
    let reps = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5
    let count = arguments.count > 3 ? Int(arguments[3]) ?? 10_000 : 10_000
    try await PGBenchmark.run(reps: reps, count: count)
case "global":
    let reps = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5
    let count = arguments.count > 3 ? Int(arguments[3]) ?? 1000 : 1000
    let lookups = arguments.count > 4 ? Int(arguments[4]) ?? 1_000_000 : 1_000_000
    try await GlobalBenchmark.run(reps: reps, count: count, lookups: lookups)
case "ddata":
    let reps = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5
    let updates = arguments.count > 3 ? Int(arguments[3]) ?? 100_000 : 100_000
    let entries = arguments.count > 4 ? Int(arguments[4]) ?? 100_000 : 100_000
    try await DDataBenchmark.run(reps: reps, updates: updates, entries: entries)
case "ddata-local":
    let reps = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5
    let updates = arguments.count > 3 ? Int(arguments[3]) ?? 1_000_000 : 1_000_000
    try await DDataBenchmark.runLocal(reps: reps, updates: updates)
case "store":
    let reps = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5
    let writes = arguments.count > 3 ? Int(arguments[3]) ?? 20_000 : 20_000
    try await StoreBenchmark.run(reps: reps, writes: writes)
case "etf":
    let reps = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5
    let iterations = arguments.count > 3 ? Int(arguments[3]) ?? 1_000_000 : 1_000_000
    ETFBenchmark.run(reps: reps, iterations: iterations)
default:
    print("unknown section \(arguments[1])")
    exit(2)
}
