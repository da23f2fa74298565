import ColonyTestSupport
import Foundation

/// The `colony` executable built beside the test bundle.
enum ColonyBinary {
    static var url: URL {
        get throws { try executable("colony") }
    }

    /// An executable product of this package, built beside the test bundle.
    static func executable(_ name: String) throws -> URL {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw ExternalProcess.Failure(description: "the \(name) executable is not built next to \(directory.path)")
    }

    /// Starts `colony node` with the given name and extra arguments.
    static func startNode(
        name: String, cookie: String, epmdPort: Int, extra: [String] = [], tickTime: Int = 60
    ) throws -> ExternalProcess {
        let process = ExternalProcess(
            executable: try url,
            arguments: [
                "node", "--name", name, "--cookie", cookie, "--epmd-port", String(epmdPort), "--listen", "127.0.0.1",
                "--tick-time", String(tickTime),
            ] + extra)
        try process.start()
        return process
    }
}
