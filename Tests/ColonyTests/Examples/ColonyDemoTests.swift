import ColonyTestSupport
import Foundation
import Testing

/// `colony demo`, README's first command, as a user runs it: three member OS processes (and an Elixir one), every
/// scenario checked, a non-zero exit naming a failed scenario, and nothing left running.
@Suite("colony demo", .serialized)
struct ColonyDemoTests {
    @Test("colony demo --no-wait checks every scenario, exits 0 and leaves no process behind", .timeLimit(.minutes(3)))
    func demoPasses() async throws {
        let outcome = try await ExternalProcess.run(
            try ColonyBinary.url, ["demo", "--no-wait"], timeout: .seconds(150))
        let output = outcome.standardOutput
        #expect(outcome.status == 0 && !outcome.timedOut, "\(output)\n\(outcome.standardError)")
        for scenario in [
            "connect", "discovery", "messages", "rpc", "genserver", "pg", "global", "ddata", "store", "supervisor",
            "tasks", "partition",
        ] {
            #expect(output.contains("] \(scenario): "), "scenario \(scenario) did not run:\n\(output)")
        }
        #expect(output.contains("All 12 scenarios passed."), "\(output)")
        #expect(output.contains("  dashboard: http://127.0.0.1:"), "the dashboard's URL is not printed:\n\(output)")
        #expect(!output.contains("✘"))
        try Self.expectNothingLeft(output)
    }

    @Test(
        "--tls --elixir: the whole demo over TLS, an Elixir node (inet_tls) in messaging and rpc",
        .timeLimit(.minutes(3)))
    func demoWithElixirOverTLS() async throws {
        let outcome = try await ExternalProcess.run(
            try ColonyBinary.url, ["demo", "--no-wait", "--tls", "--elixir", "--no-dashboard"], timeout: .seconds(150))
        let output = outcome.standardOutput
        #expect(outcome.status == 0 && !outcome.timedOut, "\(output)\n\(outcome.standardError)")
        #expect(output.contains("All 12 scenarios passed."), "\(output)")
        #expect(output.contains("distribution over TLS, both sides verified"), "\(output)")
        #expect(output.contains("every connection over TLS (TLSv1."), "\(output)")
        let directory = output.split(separator: "\n").first { $0.contains("CA and certificates in ") }
            .map { String($0.split(separator: " ").last ?? "") }
        if let directory {
            #expect(!FileManager.default.fileExists(atPath: directory), "the demo's TLS files are removed")
        } else {
            Issue.record("no TLS directory printed:\n\(output)")
        }
        #expect(output.contains("started 'demo_ex@127.0.0.1', an Elixir node"), "\(output)")
        #expect(output.contains("40 messages by name came back in order; 4 echoes answered by pid"), "\(output)")
        #expect(output.contains("square(11) = 121 on 'demo_ex@127.0.0.1'"), "\(output)")
        #expect(output.contains("multicall [9, 9, 9, 9]"), "\(output)")
        #expect(!output.contains("dashboard:"))
        try Self.expectNothingLeft(output)
    }

    @Test("a scenario made to fail exits non-zero and names it", .timeLimit(.minutes(3)))
    func demoFails() async throws {
        let outcome = try await ExternalProcess.run(
            try ColonyBinary.url, ["demo", "--no-wait", "--fail-scenario", "rpc"], timeout: .seconds(150))
        let output = outcome.standardOutput
        #expect(outcome.status != 0 && !outcome.timedOut, "\(output)")
        #expect(output.contains("FAILED: scenario rpc"), "\(output)")
        #expect(output.contains("✔"), "the scenarios before rpc passed:\n\(output)")
        try Self.expectNothingLeft(output)
    }

    /// No process started by this run is alive: none has the run's generated cookie on its
    /// command line.
    static func expectNothingLeft(_ output: String) throws {
        let cookie = try #require(
            output.split(separator: " ").first { $0.hasPrefix("demo_") && !$0.contains("@") }.map(String.init),
            "no cookie in \(output)")
        let processes = try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { Int($0) != nil }
        var left: [String] = []
        for pid in processes {
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
            let commandLine = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
            if commandLine.contains(cookie) { left.append("\(pid): \(commandLine)") }
        }
        #expect(left.isEmpty, "still running: \(left)")
    }
}
