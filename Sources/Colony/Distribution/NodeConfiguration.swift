import Foundation

/// How a distributed node starts: its name, cookie, visibility, ports and timing.
public struct NodeConfiguration: Sendable {
    /// The node name: `name@host` (a long name when the host has dots or is an address), or a bare
    /// `name`, which gets this machine's short host name (`-sname`).
    public var name: String
    /// The cookie; `nil` reads `~/.erlang.cookie`, like OTP.
    public var cookie: String?
    /// A hidden node does not appear in other nodes' `nodes()` and is not connected transitively.
    public var hidden = false
    /// The EPMD port on every host (OTP's `ERL_EPMD_PORT`, default 4369).
    public var epmdPort: Int
    /// Whether to use EPMD at all. Without it (EPMD-less mode) the node listens on
    /// ``distributionPort`` and reaches every peer on that same port, as OTP does with
    /// `-erl_epmd_port`.
    public var usesEPMD = true
    /// Whether the node starts an embedded EPMD server when none answers on ``epmdPort``.
    public var startsEPMDServer = true
    /// The port to listen on for distribution; 0 picks a free one (needs EPMD).
    public var distributionPort = 0
    /// Without EPMD, the port peers listen on, when it differs from ``distributionPort`` (a
    /// short-lived client such as `colony health` listens anywhere and dials the cluster's fixed
    /// port). `nil`: ``distributionPort``.
    public var peerDistributionPort: Int?
    /// Whether the node reports metrics (swift-metrics): traffic per peer, call latency,
    /// supervisor restarts, processes, connections and mailbox depths.
    public var metrics = true
    /// The address to listen on.
    public var listenAddress = "0.0.0.0"
    /// OTP's `net_ticktime`: a peer silent this long is disconnected (default 60 s).
    public var tickTime: Duration = .seconds(60)
    /// Connect transitively to the nodes a new peer knows (OTP's `connect_all`).
    public var connectsTransitively = true
    /// The largest distribution frame accepted from a peer.
    public var maximumFrameSize = 128 << 20
    /// The most bytes one peer's fragmented messages may hold while they are reassembled (first
    /// fragments included); past it the peer is disconnected.
    public var maximumFragmentBytesPerConnection = 64 << 20
    /// The most bytes all peers' fragmented messages may hold together while they are reassembled;
    /// the peer whose fragment would pass it is disconnected.
    public var maximumFragmentBytesPerNode = 256 << 20
    /// How long a connection attempt may take, handshake included (OTP's `net_setuptime`, 7 s).
    public var setupTimeout: Duration = .seconds(7)
    /// What carries distribution connections; `nil`, the default, is plain TCP. `TLSTransport`
    /// (module `ColonyTLS`) is TLS, interoperable with OTP's `-proto_dist inet_tls`.
    public var transport: (any DistributionTransport)?
    /// The tracer for GenServer calls and rpc (see ``ColonyTracer``); `nil`, the default, traces
    /// nothing.
    public var tracer: ColonyTracer?
    /// Whether the trace context also goes to Erlang and Elixir peers (as a sequential-trace
    /// token with flags 0). Off by default: an OTP process keeps the last token it received and
    /// puts it on what it sends next, so the context would spread to its unrelated messages.
    /// Colony peers always get it.
    public var propagatesTraceToErlang = false

    /// A configuration for the node `name`.
    public init(name: String, cookie: String? = nil) {
        self.name = name
        self.cookie = cookie
        self.epmdPort = ProcessInfo.processInfo.environment["ERL_EPMD_PORT"].flatMap(Int.init) ?? 4369
    }

    /// The full node name: `name` as given when it has a host, else `name@shorthost`.
    var fullName: String {
        if name.contains("@") { return name }
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
        return "\(name)@\(host)"
    }

    /// The cookie to use: the configured one, or `~/.erlang.cookie`.
    func resolvedCookie() throws -> String {
        if let cookie { return cookie }
        let path = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".erlang.cookie")
        guard let text = try? String(contentsOf: path, encoding: .utf8) else {
            throw NodeError.noCookie(path.path)
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Why a node could not start or act.
public enum NodeError: Error, Sendable, CustomStringConvertible {
    /// No cookie was configured and the cookie file could not be read.
    case noCookie(String)
    /// The node name is not valid.
    case invalidName(String)
    /// EPMD refused the registration (the name is taken) or could not be reached.
    case epmd(String)
    /// The distribution listener could not be started.
    case listen(String)

    public var description: String {
        switch self {
        case .noCookie(let path): return "no cookie configured and \(path) is unreadable"
        case .invalidName(let why): return "invalid node name: \(why)"
        case .epmd(let why): return "EPMD: \(why)"
        case .listen(let why): return "cannot listen: \(why)"
        }
    }
}
