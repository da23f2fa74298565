public import NIOCore
public import NIOPosix

/// The Erlang Port Mapper Daemon: where a node registers its name and distribution port, and where
/// other nodes look it up. See ``EPMDClient``, ``EPMDServer`` and ``EPMDRegistry``.
public enum EPMD {
    /// The port EPMD listens on unless told otherwise (OTP reads `ERL_EPMD_PORT`).
    public static let defaultPort = 4369

    /// Makes sure an EPMD answers on `host`:`port`, starting an embedded ``EPMDServer`` when none
    /// does. A node calls this when it starts, as `erl` starts `epmd -daemon`.
    ///
    /// An EPMD answers when it replies to `NAMES_REQ`. When nothing listens, a server is started;
    /// if that fails because another process bound the port in the meantime, that process is asked
    /// again.
    ///
    /// - Returns: the server this call started, which the caller owns and stops; `nil` when an EPMD
    ///   answers already.
    /// - Throws: ``EPMDError`` when something listens on the port but does not speak EPMD, or
    ///   the error that kept the server from starting.
    public static func ensureRunning(
        host: String = "127.0.0.1", port: Int = defaultPort,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> EPMDServer? {
        let client = EPMDClient(group: group, connectTimeout: .seconds(2), replyTimeout: .seconds(5))
        if try await answers(client, host: host, port: port) { return nil }
        do {
            return try await EPMDServer.start(host: host, port: port, group: group)
        } catch {
            if try await answers(client, host: host, port: port) { return nil }
            throw error
        }
    }

    /// Whether an EPMD replies on `host`:`port`; `false` when nothing accepts connections there.
    private static func answers(_ client: EPMDClient, host: String, port: Int) async throws(EPMDError) -> Bool {
        do {
            _ = try await client.namesResponse(host: host, port: port)
            return true
        } catch .unreachable {
            return false
        }
    }
}
