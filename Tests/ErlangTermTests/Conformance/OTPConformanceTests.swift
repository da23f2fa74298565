import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// Colony's External Term Format against a real Erlang/OTP node, in both directions.
///
/// `etf_corpus.erl` (next to this file) runs on a distributed node with a private `epmd` and
/// writes a corpus: `term_to_binary` output for every tag, OTP 25's default latin-1 atoms, old
/// encodings built by hand, compressed terms, and corrupt input that OTP rejects. Colony decodes
/// each case and re-encodes it; where OTP's encoding is canonical the bytes must match OTP's
/// exactly. A second, fresh node then runs `binary_to_term` on Colony's bytes (and on terms
/// built in Swift) and compares them with the originals.
///
/// `erl`, `erlc` and `epmd` must be installed (the CI installs `erlang-nox`): without them this
/// test fails rather than skips. Set `COLONY_KEEP_CONFORMANCE_DIR=1` to keep the working directory.
@Suite("OTP conformance")
struct OTPConformanceTests {
    /// How many cases `etf_corpus.erl` writes. Adding or removing a case there must change this
    /// number, so that a case cannot silently go missing.
    static let corpusCaseCount = 262

    @Test(
        "Colony decodes and canonically re-encodes OTP's bytes, and OTP accepts Colony's",
        .timeLimit(.minutes(10)))
    func corpusAgreesWithOTP() async throws {
        let tools = try Tools.locate()
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("colony-otp-conformance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer {
            if ProcessInfo.processInfo.environment["COLONY_KEEP_CONFORMANCE_DIR"] == nil {
                try? FileManager.default.removeItem(at: directory)
            }
        }

        try await compileCorpusModule(tools: tools, into: directory)
        try await writeCorpus(tools: tools, into: directory)

        let cases = try Self.readManifest(in: directory)
        #expect(
            cases.count == Self.corpusCaseCount,
            "etf_corpus.erl wrote \(cases.count) cases, the test expects \(Self.corpusCaseCount)")
        for corpusCase in cases {
            try check(corpusCase, in: directory)
        }
        for swiftCase in Self.swiftCases {
            let bytes = try ETF.encode(swiftCase.term, options: swiftCase.options)
            try Data(bytes).write(to: directory.appendingPathComponent("\(swiftCase.name).colony.bin"))
        }

        try await verifyInOTP(tools: tools, directory: directory, cases: cases)
    }

    @Test("A process that overruns its time limit is killed by PID")
    func overrunningProcessIsKilled() async throws {
        let sleep = try #require(ExternalProcess.find("sleep"), "no `sleep` on PATH")
        let process = ExternalProcess(executable: sleep, arguments: ["30"])
        let started = ContinuousClock.now
        let outcome = try await process.run(timeout: .milliseconds(300))
        #expect(outcome.timedOut)
        #expect(!outcome.succeeded)
        #expect(!process.isRunning)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    // MARK: - Running OTP

    /// The Erlang tools, found on `PATH`.
    struct Tools {
        var erl: URL
        var erlc: URL
        var epmd: URL

        static func locate() throws -> Tools {
            func find(_ name: String) throws -> URL {
                try #require(
                    ExternalProcess.find(name),
                    "`\(name)` is not on PATH: the OTP conformance test needs Erlang/OTP (apt-get install erlang-nox)")
            }
            return Tools(erl: try find("erl"), erlc: try find("erlc"), epmd: try find("epmd"))
        }
    }

    /// Environment for `erl`: no crash dumps, and no flags from the user's environment.
    static func erlEnvironment(epmdPort: UInt16?) -> [String: String?] {
        [
            "ERL_CRASH_DUMP_SECONDS": "0",
            "ERL_FLAGS": nil,
            "ERL_AFLAGS": nil,
            "ERL_ZFLAGS": nil,
            "ERL_EPMD_PORT": epmdPort.map { String($0) },
        ]
    }

    static func describe(_ outcome: ExternalProcess.Outcome) -> String {
        let status = outcome.timedOut ? "timed out and was killed" : "exited with status \(outcome.status)"
        return """
            \(status)
            --- stdout
            \(outcome.standardOutput.suffix(4000))
            --- stderr
            \(outcome.standardError.suffix(4000))
            """
    }

    func compileCorpusModule(tools: Tools, into directory: URL) async throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "etf_corpus.erl")
        try #require(FileManager.default.fileExists(atPath: source.path), "missing \(source.path)")
        let outcome = try await ExternalProcess.run(
            tools.erlc, ["-o", directory.path, source.path], directory: directory, timeout: .seconds(120))
        try #require(outcome.succeeded, "erlc etf_corpus.erl \(Self.describe(outcome))")
    }

    /// Runs `etf_corpus:write/1` on a distributed node, `corpus@127.0.0.1`, registered with a
    /// private epmd on a free loopback port. Both processes are stopped by PID before returning.
    func writeCorpus(tools: Tools, into directory: URL) async throws {
        let epmdPort = try ExternalProcess.freeLoopbackPort()
        let epmd = ExternalProcess(
            executable: tools.epmd, arguments: ["-address", "127.0.0.1", "-port", String(epmdPort)],
            directory: directory)
        try epmd.start()
        defer { epmd.kill() }
        let listening = await ExternalProcess.waitForListener(port: epmdPort, timeout: .seconds(15))
        try #require(listening, "epmd did not listen on 127.0.0.1:\(epmdPort): \(epmd.standardError)")

        let outcome = try await ExternalProcess.run(
            tools.erl,
            [
                "-noshell", "-noinput", "-start_epmd", "false",
                "-name", "corpus@127.0.0.1", "-setcookie", "conformance",
                "-kernel", "inet_dist_use_interface", "{127,0,0,1}",
                "-pa", directory.path,
                "-run", "etf_corpus", "main", "write", directory.path,
            ],
            environment: Self.erlEnvironment(epmdPort: epmdPort), directory: directory, timeout: .seconds(180))
        try #require(outcome.succeeded, "erl (etf_corpus:write) \(Self.describe(outcome))")
    }

    /// Runs `etf_corpus:verify/1` on a fresh, non-distributed node and checks every result line.
    func verifyInOTP(tools: Tools, directory: URL, cases: [CorpusCase]) async throws {
        let outcome = try await ExternalProcess.run(
            tools.erl,
            ["-noshell", "-noinput", "-pa", directory.path, "-run", "etf_corpus", "main", "verify", directory.path],
            environment: Self.erlEnvironment(epmdPort: nil), directory: directory, timeout: .seconds(180))
        try #require(outcome.succeeded, "erl (etf_corpus:verify) \(Self.describe(outcome))")

        let text = try String(contentsOf: directory.appendingPathComponent("results.txt"), encoding: .utf8)
        var results: [String: String] = [:]
        var total: Int?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("TOTAL ") {
                total = Int(line.dropFirst("TOTAL ".count))
            } else if line.hasPrefix("RESULT ") {
                let fields = line.dropFirst("RESULT ".count).split(separator: " ", maxSplits: 1)
                results[String(fields[0])] = fields.count > 1 ? String(fields[1]) : ""
            }
        }
        let expectedNames = cases.map(\.name) + Self.swiftCases.map(\.name)
        #expect(total == expectedNames.count, "OTP verified \(total ?? 0) cases, expected \(expectedNames.count)")
        #expect(results.count == expectedNames.count, "results.txt names \(results.count) cases")
        for name in expectedNames {
            let result = results[name]
            #expect(result == "OK", "OTP on Colony's bytes for \(name): \(result ?? "no result")")
        }
    }

    // MARK: - The corpus, Colony's side

    enum Mode: String {
        /// Re-encoding must equal OTP's canonical bytes.
        case exact
        /// Re-encoding must decode in OTP to an equal term.
        case equal
        /// OTP rejects the bytes; Colony must throw.
        case reject
        /// OTP accepts the bytes; Colony rejects them by design.
        case stricter
    }

    struct CorpusCase {
        var name: String
        var mode: Mode
        /// Colony compressing the term at this level must reproduce OTP's bytes.
        var zlibLevel: Int?
        /// The term is deeper than Colony's default limit and decodes with this one.
        var depth: Int?
    }

    static func readManifest(in directory: URL) throws -> [CorpusCase] {
        let text = try String(contentsOf: directory.appendingPathComponent("manifest.txt"), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let fields = line.split(separator: " ").map(String.init)
            let mode = try #require(fields.count >= 2 ? Mode(rawValue: fields[1]) : nil, "bad manifest line: \(line)")
            var corpusCase = CorpusCase(name: fields[0], mode: mode)
            for flag in fields.dropFirst(2) {
                let parts = flag.split(separator: "=", maxSplits: 1).map(String.init)
                let value = try #require(parts.count == 2 ? Int(parts[1]) : nil, "bad flag \(flag) in: \(line)")
                switch parts[0] {
                case "zlib": corpusCase.zlibLevel = value
                case "depth": corpusCase.depth = value
                default: Issue.record("unknown flag \(flag) in manifest line: \(line)")
                }
            }
            return corpusCase
        }
    }

    func check(_ corpusCase: CorpusCase, in directory: URL) throws {
        let name = corpusCase.name
        let input = try Self.read(directory, name + ".bin")
        var options = ETFDecodingOptions()
        if let depth = corpusCase.depth {
            options.maximumDepth = depth
            #expect(Self.depthError(input), "\(name): the default depth limit should reject it")
        }

        switch corpusCase.mode {
        case .reject, .stricter:
            do {
                let term = try ETF.decode(input)
                Issue.record(
                    """
                    \(name): Colony accepts bytes that it must reject (\(corpusCase.mode == .reject ? "OTP rejects them" : "by design")):
                    bytes <<\(Self.byteList(input, limit: 80))>>
                    decoded as \(Self.abbreviated(term))
                    """)
            } catch {
                // Rejected, as it should be.
            }
            return
        case .exact, .equal:
            break
        }

        let expected = try Self.read(directory, name + ".expected.bin")
        let term: Term
        do {
            term = try ETF.decode(input, options: options)
        } catch {
            Issue.record(
                "\(name): Colony cannot decode OTP's bytes: \(error)\nbytes <<\(Self.byteList(input, limit: 80))>>")
            return
        }
        let encoded: [UInt8]
        do {
            encoded = try ETF.encode(term)
        } catch {
            Issue.record("\(name): Colony cannot re-encode \(Self.abbreviated(term)): \(error)")
            return
        }
        try Data(encoded).write(to: directory.appendingPathComponent(name + ".colony.bin"))

        if corpusCase.mode == .exact, encoded != expected {
            Issue.record(
                "\(name): Colony's re-encoding is not OTP's: \(Self.difference(otp: expected, colony: encoded))")
        }
        if encoded != input, corpusCase.mode == .equal, (try? ETF.decode(encoded, options: options)) != term {
            Issue.record("\(name): Colony's re-encoding does not decode to the same term")
        }
        // OTP's canonical bytes decode to the same term.
        if expected != input {
            do {
                let canonical = try ETF.decode(expected, options: options)
                #expect(canonical == term, "\(name): OTP's canonical bytes decode to a different term")
            } catch {
                Issue.record("\(name): Colony cannot decode OTP's canonical bytes: \(error)")
            }
        }
        if let level = corpusCase.zlibLevel {
            let compressed = try ETF.encode(term, options: ETFEncodingOptions(compressionLevel: level))
            if compressed != input {
                Issue.record(
                    "\(name): Colony compressing at level \(level) differs from OTP: \(Self.difference(otp: input, colony: compressed))"
                )
            }
        }
        checkPrefixesThrow(name: name, input: input, options: options)
        checkMutationsDoNotCrash(input)
    }

    /// Every proper prefix of a valid encoding is truncated input and must throw (for long input,
    /// a sample of prefixes).
    func checkPrefixesThrow(name: String, input: [UInt8], options: ETFDecodingOptions) {
        let lengths: [Int]
        if input.count <= 2048 {
            lengths = Array(0..<input.count)
        } else {
            let step = input.count / (input.count > 65536 ? 32 : 256)
            lengths = Array(stride(from: 0, to: input.count, by: step)) + Array((input.count - 16)..<input.count)
        }
        for length in lengths {
            if let term = try? ETF.decode(Array(input[..<length]), options: options) {
                Issue.record(
                    "\(name): Colony accepts the first \(length) of \(input.count) bytes as \(Self.abbreviated(term))")
                return
            }
        }
    }

    /// Flips bits in short inputs: decoding may succeed or throw, but must not crash or hang.
    func checkMutationsDoNotCrash(_ input: [UInt8]) {
        guard input.count <= 512 else { return }
        var options = ETFDecodingOptions()
        options.createsAtoms = false
        for index in input.indices {
            for mask: UInt8 in [0xFF, 0x01, 0x80] {
                var mutated = input
                mutated[index] ^= mask
                if let term = try? ETF.decode(mutated, options: options) {
                    _ = try? ETF.encode(term)
                }
            }
        }
    }

    static func depthError(_ input: [UInt8]) -> Bool {
        do {
            _ = try ETF.decode(input)
            return false
        } catch {
            if case .tooDeep = error.kind { return true }
            return false
        }
    }

    static func read(_ directory: URL, _ file: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(file)))
    }

    static func byteList(_ bytes: some Collection<UInt8>, limit: Int) -> String {
        let shown = bytes.prefix(limit).map(String.init).joined(separator: ",")
        return bytes.count > limit ? shown + ",... (\(bytes.count) bytes)" : shown
    }

    static func abbreviated(_ term: Term) -> String {
        let text = term.description
        return text.count > 300 ? text.prefix(300) + "..." : text
    }

    /// Where OTP's and Colony's bytes first differ, with the bytes around it.
    static func difference(otp: [UInt8], colony: [UInt8]) -> String {
        let offset = zip(otp, colony).prefix { $0 == $1 }.count
        let start = max(0, offset - 8)
        return """
            first difference at byte \(offset) (OTP \(otp.count) bytes, Colony \(colony.count) bytes); from byte \(start):
            OTP    <<\(byteList(otp[start...], limit: 32))>>
            Colony <<\(byteList(colony[start...], limit: 32))>>
            """
    }

    // MARK: - Terms built in Swift (Swift -> OTP)

    /// A term Colony encodes from scratch; `etf_corpus:swift_cases/0` holds the same term built in
    /// Erlang and says how OTP judges Colony's bytes.
    struct SwiftCase: Sendable {
        var name: String
        var term: Term
        var options = ETFEncodingOptions()
    }

    static let swiftCases: [SwiftCase] = {
        let node = Atom("colony@127.0.0.1")
        let creation: UInt32 = 0x1234_5678
        let pairs: [(Term, Term)] = [
            ("name", .string("Ada")), (1, "one"), (.string("k"), [1, 2]), (.tuple(["t", 1]), 2.5), ([], "nil"),
            (-7, "neg"),
        ]
        let pattern: [UInt8] = (1...300).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / 251) }
        func nestMixed(_ n: Int) -> Term {
            if n == 0 { return "leaf" }
            return n % 2 == 0 ? .list([.integer(n), nestMixed(n - 1)]) : .tuple([.integer(n), nestMixed(n - 1)])
        }
        return [
            SwiftCase(
                name: "swift_atoms",
                term: .tuple([
                    "ok", .atom(Atom("h\u{E9}llo")), .atom(Atom("\u{65E5}\u{672C}")), .atom(Atom("")),
                    .atom(Atom(String(repeating: "\u{E9}", count: 255))), .atom(node),
                ])),
            SwiftCase(
                name: "swift_integers",
                term: .list([
                    0, 255, 256, -1, .integer(Int(Int32.min)), .integer(Int(Int32.max)), .integer(1 << 31),
                    .integer(Int.max), .integer(Int.min), .integer(BigInteger(Int128(1) << 100)),
                    .integer(BigInteger(-(Int128(1) << 100))),
                    .integer(BigInteger(isNegative: false, magnitude: [UInt8](repeating: 0xFF, count: 256))),
                    .integer(BigInteger(isNegative: true, magnitude: [UInt8](repeating: 0xFF, count: 300))),
                ])),
            SwiftCase(
                name: "swift_floats",
                term: .list([
                    .float(0.0), .float(-0.0), .float(1.0e300), .float(-1.0e-300), .float(.leastNonzeroMagnitude),
                    .float(3.14),
                    .float(.greatestFiniteMagnitude),
                ])),
            SwiftCase(
                name: "swift_binaries",
                term: .list([
                    .binary([]), .string("h\u{E9}llo"), .binary(pattern),
                    .bitstring(Bitstring(bytes: [0b1010_0000], bitsInLastByte: 3)),
                    .bitstring(Bitstring(bytes: [1, 2, 0b0000_0110], bitsInLastByte: 7)),
                ])),
            SwiftCase(
                name: "swift_strings",
                term: .list([
                    .charlist("abc"), .charlist("\u{65E5}\u{672C}\u{8A9E}"),
                    .list(Array(repeating: 7, count: 65535)), .list(Array(repeating: 7, count: 65536)),
                ])),
            SwiftCase(
                name: "swift_lists",
                term: .list([
                    [], .improperList([1], tail: 2), .improperList(["a", "b"], tail: "c"), [1, [2, [3, []]]],
                    [.string("x"), 1.5, -300],
                ])),
            SwiftCase(
                name: "swift_tuples",
                term: .tuple([
                    .tuple([]), .tuple((1...300).map { .integer($0) }),
                    .tuple(["nested", .tuple(["deeper", .tuple(["deepest"])])]),
                ])),
            SwiftCase(name: "swift_map_sorted", term: .map(TermMap(pairs).sortedByKey())),
            SwiftCase(name: "swift_map_insertion_order", term: .map(TermMap(pairs))),
            SwiftCase(
                name: "swift_map_large",
                term: .map(TermMap((1...100).map { (.integer($0), .string(String($0))) }))),
            SwiftCase(
                name: "swift_identifiers",
                term: .tuple([
                    .pid(PID(node: node, id: 5, serial: 1, creation: creation)),
                    .reference(Reference(node: node, creation: creation, ids: [1, 2, 3])),
                    .reference(Reference(node: node, creation: creation, ids: [10, 20, 30, 40, 50])),
                    .port(ErlangPort(node: node, id: 9, creation: creation)),
                    .port(ErlangPort(node: node, id: (1 << 40) + 9, creation: creation)),
                ])),
            SwiftCase(name: "swift_export_fun", term: .export(ExportFun(module: "lists", function: "map", arity: 2))),
            SwiftCase(name: "swift_deep_nesting", term: nestMixed(300)),
            SwiftCase(
                name: "swift_compressed",
                term: .tuple([.list((1...5000).map { .integer($0) }), .list(Array(repeating: "hello", count: 1000))]),
                options: ETFEncodingOptions(compressionLevel: 6)),
        ]
    }()
}
