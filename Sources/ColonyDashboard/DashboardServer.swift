import Colony
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The dashboard's web server (Hummingbird): `GET /` is the page, `GET /events` streams each new
/// ``ClusterModel`` as a server-sent event, `GET /api/cluster` answers the latest one as JSON.
public final class DashboardServer: Sendable {
    /// Where the models come from.
    public let collector: DashboardCollector
    /// The port it listens on.
    public let port: Int
    /// The host it listens on.
    public let host: String
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    private init(collector: DashboardCollector, host: String, port: Int, group: ServiceGroup, task: Task<Void, Never>) {
        self.collector = collector
        self.host = host
        self.port = port
        self.group = group
        self.task = task
    }

    /// The page's address.
    public var url: String { "http://\(host):\(port)/" }

    /// Serves `collector`'s models on `host`:`port` (0: any free port) and returns once it
    /// listens.
    ///
    /// - Throws: the bind error when the port cannot be had.
    public static func start(collector: DashboardCollector, host: String = "127.0.0.1", port: Int) async throws
        -> DashboardServer
    {
        let waiting = Mutex<CheckedContinuation<Int, any Error>?>(nil)
        let resume: @Sendable (Result<Int, any Error>) -> Void = { result in
            waiting.withLock { continuation in
                continuation?.resume(with: result)
                continuation = nil
            }
        }
        let application = Self.application(collector: collector, host: host, port: port) { bound in
            resume(.success(bound))
        }
        let group = ServiceGroup(
            configuration: .init(services: [application], logger: Logger(label: "colony.dashboard")))
        let running = Mutex<Task<Void, Never>?>(nil)
        let bound = try await withCheckedThrowingContinuation { continuation in
            waiting.withLock { $0 = continuation }
            running.withLock {
                $0 = Task {
                    do {
                        try await group.run()
                        resume(.failure(DashboardError.stopped))
                    } catch {
                        resume(.failure(error))
                    }
                }
            }
        }
        guard let task = running.withLock({ $0 }) else { throw DashboardError.stopped }
        return DashboardServer(collector: collector, host: host, port: bound, group: group, task: task)
    }

    /// Stops serving: the event streams end, then the server shuts down gracefully.
    public func stop() async {
        await collector.stop()
        await group.triggerGracefulShutdown()
        await task.value
    }

    static func application(
        collector: DashboardCollector, host: String, port: Int, onRunning: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        }
        router.get("api/cluster") { _, _ -> Response in
            let json = try JSONEncoder().encode(collector.model)
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: json)))
        }
        router.get("events") { _, _ -> Response in
            let updates = collector.updates()
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    let encoder = JSONEncoder()
                    for await model in updates {
                        var buffer = ByteBuffer(string: "data: ")
                        buffer.writeBytes(try encoder.encode(model))
                        buffer.writeString("\n\n")
                        try await writer.write(buffer)
                    }
                    try await writer.finish(nil)
                })
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "colony-dashboard"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) })
    }
}

/// Why the dashboard's server is not running.
public enum DashboardError: Error, CustomStringConvertible {
    /// The server stopped before it listened.
    case stopped

    public var description: String { "the dashboard's server stopped before it listened" }
}
