import ErlangTerm
import Foundation
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// The workloads of Benchmarks/erlang/etf_bench.erl, built as the same terms.
enum ETFBenchmark {
    static func workloads() -> [(String, Term)] {
        let peers: [Term] = (1...8).map { i in .tuple(["peer", .integer(i), .string("10.0.0.\(i)")]) }
        let nested: Term = .map(
            TermMap([
                ("name", .string("node-1")),
                ("id", 42),
                ("tags", ["alpha", "beta", "gamma"]),
                (
                    "meta",
                    .map(
                        TermMap([
                            ("created", 1_700_000_000),
                            ("score", 0.75),
                            ("owner", .map(TermMap([("name", .string("ada")), ("roles", ["admin", "ops"])]))),
                            ("peers", .list(peers)),
                        ]).sortedByKey())
                ),
            ]).sortedByKey())
        return [
            ("small_tuple", .tuple(["msg", 12345])),
            ("binary_1k", .tuple(["msg", 12345, .binary([UInt8](repeating: 0xAB, count: 1024))])),
            ("nested_map", nested),
        ]
    }

    static func run(reps: Int, iterations: Int) {
        let only = ProcessInfo.processInfo.environment["ETF_ONLY"]
        for (name, term) in workloads() where only == nil || only == name {
            let bytes = try! ETF.encode(term)
            let n = max(1000, iterations * 64 / max(64, bytes.count))
            var buffer = ByteBufferAllocator().buffer(capacity: bytes.count * 2)
            let encodeReused = median(reps) {
                for _ in 0..<n {
                    buffer.clear()
                    try! ETF.encode(term, into: &buffer)
                }
            }
            let encodeFresh = median(reps) {
                for _ in 0..<n { blackHole(try! ETF.encode(term).count) }
            }
            let decode = median(reps) {
                bytes.withUnsafeBytes { raw in
                    for _ in 0..<n { blackHole(try! ETF.decode(raw)) }
                }
            }
            report(name, "encode", n, encodeReused, bytes.count)
            report(name, "encode_new_array", n, encodeFresh, bytes.count)
            report(name, "decode", n, decode, bytes.count)
        }
    }

    static func report(_ name: String, _ op: String, _ n: Int, _ seconds: Double, _ size: Int) {
        let ops = Double(n) / seconds
        print("ETF \(name) \(op) \(format(ops, 1)) \(format(ops * Double(size) / 1e6, 2)) \(size)")
    }
}

func median(_ reps: Int, _ body: () -> Void) -> Double {
    var times: [Double] = []
    for _ in 0..<max(1, reps) {
        let start = ContinuousClock.now
        body()
        let elapsed = ContinuousClock.now - start
        times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
    times.sort()
    return times[(times.count - 1) / 2]
}

@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

func format(_ value: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    return "\(rounded)"
}
