import ErlangTerm

extension Node {
    /// The registered name of OTP's global name server, which Erlang nodes address on every
    /// visible peer.
    static let globalNameServerName: Atom = "global_name_server"

    /// Starts the process that stands in for OTP's `global_name_server` until ColonyGroups'
    /// `GlobalNames` (the real protocol) starts on this node and takes the name over.
    ///
    /// When a visible node connects, an Erlang node's `global_name_server` casts
    /// `{init_connect, {Vsn, Tag}, Node, {locker, _, Known, Locker}}` to the peer's
    /// `global_name_server` and, until that peer's partition and its own have locked, traded names
    /// and resolved, counts it as not yet synchronised: `global:sync()` waits for it. This process
    /// answers every `init_connect` with `{in_sync, ThisNode, true}`, the message global uses for a
    /// node that already shares its names. The Erlang node then cancels its locker for this node and
    /// counts it as synchronised. It never makes this node one of its *known* nodes, so it sends
    /// neither name registrations nor locks here, and its own `global` works as before. Every
    /// other message of global's protocol (`lock_set`, `cancel_connect`, `lost_connection`, ...) is
    /// ignored.
    func startGlobalCompatProcess() {
        let server = spawnReactor(initial: ()) { _, message, process in
            // ColonyGroups' real name server takes over.
            if message == .tuple(["$colony_global_compat", "stop"]) { return .stop(.atom(ExitReasons.normal)) }
            if let peer = Self.globalInitConnectPeer(message) {
                let inSync: Term = .tuple(["$gen_cast", .tuple(["in_sync", .atom(process.node.name), "true"])])
                await process.send(inSync, to: Self.globalNameServerName, on: peer)
            }
            return .continue
        }
        _ = register(Self.globalNameServerName, pid: server)
    }

    /// The sending node of a `{'$gen_cast', {init_connect, Vsn, Node, InitMsg}}`, or `nil` for any
    /// other message.
    static func globalInitConnectPeer(_ message: Term) -> Atom? {
        guard case .tuple(let cast) = message, cast.count == 2, cast[0] == .atom("$gen_cast"),
            case .tuple(let request) = cast[1], request.count == 4, request[0] == .atom("init_connect"),
            case .atom(let peer) = request[2]
        else { return nil }
        return peer
    }
}
