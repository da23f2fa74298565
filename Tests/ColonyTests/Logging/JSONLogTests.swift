import Colony
import ColonyLogging
import ColonyTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// JSON logs: one object per line with level, label, message, the node and the metadata; and
/// `colony node --log-format json` writing only such lines.
@Suite("Logging: JSON output", .serialized)
struct JSONLogTests {
    @Test("a JSON line carries level, label, message, node and flattened metadata")
    func handler() throws {
        let lines = Mutex<[String]>([])
        var logger = Logger(label: "colony.test") { label in
            JSONLogHandler(label: label, node: "a@127.0.0.1", level: .info) { line in lines.withLock { $0.append(line) }
            }
        }
        logger[metadataKey: "peer"] = "b@127.0.0.1"
        logger.debug("below the level")
        logger.warning("nodedown", metadata: ["reason": "net_tick_timeout", "pids": ["<0.1.0>", "<0.2.0>"]])
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        let line = try #require(written.first)
        let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8))
        let object = try #require(parsed as? [String: Any])
        #expect(object["level"] as? String == "warning")
        #expect(object["label"] as? String == "colony.test")
        #expect(object["message"] as? String == "nodedown")
        #expect(object["node"] as? String == "a@127.0.0.1")
        let metadata = object["metadata"] as? [String: String]
        #expect(metadata?["peer"] == "b@127.0.0.1")
        #expect(metadata?["reason"] == "net_tick_timeout")
        #expect(metadata?["pids"] == "[<0.1.0>, <0.2.0>]")
    }

    @Test("colony node --log-format json writes only JSON lines, each with the node", .timeLimit(.minutes(1)))
    func commandLine() async throws {
        let epmdPort = String(try ExternalProcess.freeLoopbackPort())
        let node = ExternalProcess(
            executable: try ColonyBinary.url,
            arguments: [
                "node", "--name", "jsonlog@127.0.0.1", "--cookie", "json", "--epmd-port", epmdPort, "--listen",
                "127.0.0.1", "--log-format", "json",
            ])
        try node.start()
        defer { node.kill() }
        #expect(await node.waitForOutput("started", timeout: .seconds(20)), "\(node.standardError)")
        node.signal(SIGTERM)
        _ = await node.wait(timeout: .seconds(10))
        let lines = node.standardError.split(separator: "\n").filter { !$0.isEmpty }
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["node"] as? String == "jsonlog@127.0.0.1", "not a JSON log line: \(line)")
            #expect(object?["level"] is String && object?["message"] is String)
        }
        #expect(lines.contains { $0.contains("root supervisor") || $0.contains("up on port") }, "\(lines)")
    }

    @Test("a process's logger carries its node, pid and registered name as metadata")
    func processMetadata() async throws {
        let node = Node()
        let seen = ResultBox<[String: String]>()
        let pid = node.spawn { process in
            _ = try await process.receive()
            let logger = process.logger(label: "colony.test")
            var metadata: [String: String] = [:]
            for key in ["node", "pid", "name"] { metadata[key] = logger[metadataKey: key].map { "\($0)" } }
            seen.set(metadata)
        }
        #expect(node.register("logged", pid: pid))
        await node.send("go", to: pid)
        let metadata = try #require(await seen.wait(timeout: .seconds(5)))
        #expect(metadata == ["node": "nonode@nohost", "pid": "\(pid)", "name": "logged"])
    }
}
