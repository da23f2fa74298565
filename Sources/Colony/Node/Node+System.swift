import ErlangTerm

extension Node {
    /// The node's system processes. `net_kernel` answers `net_adm:ping`
    /// (`{'$gen_call', From, {is_auth, Node}}` → `yes`); `colony_net` trades, between Colony nodes
    /// only, the lists of connected nodes that make connections transitive. It has a name of its
    /// own so that Erlang nodes, which have no process of that name, drop its requests silently.
    func startSystemProcess() {
        let kernel = spawn { process in
            while true {
                let message = try await process.receive()
                await process.node.handleSystemMessage(message, process: process)
            }
        }
        _ = register("net_kernel", pid: kernel)
        let peers = spawn { process in
            while true {
                let message = try await process.receive()
                await process.node.handleSystemMessage(message, process: process)
            }
        }
        _ = register(Self.peerExchangeName, pid: peers)
        distribution.state.withLock { $0.systemPID = peers }
    }

    /// The registered name of the process that answers peer-list requests between Colony nodes.
    static let peerExchangeName: Atom = "colony_net"

    private func handleSystemMessage(_ message: Term, process: ProcessContext) async {
        guard case .tuple(let t) = message else { return }
        switch (t.first, t.count) {
        case (.atom("$gen_call"), 3):
            // {'$gen_call', {From, Tag}, Request}: a gen_server call to net_kernel.
            guard case .tuple(let from) = t[1], from.count == 2, case .pid(let caller) = from[0] else { return }
            let reply: Term
            switch t[2] {
            case .tuple(let request) where request.first == "is_auth": reply = "yes"
            default: reply = .tuple(["error", "not_supported"])
            }
            await process.send(.tuple([from[1], reply]), to: caller)
        case (.atom("colony_nodes_request"), 2):
            // {colony_nodes_request, From}: a Colony peer asks which nodes this node sees.
            guard case .pid(let from) = t[1] else { return }
            distribution.markColonyPeer(from.node)
            let known = nodes(.visible).map(Term.atom)
            await process.send(.tuple(["colony_nodes", .atom(name), .list(known)]), to: from)
        case (.atom("colony_nodes"), 3):
            guard case .list(let known) = t[2] else { return }
            guard case .atom(let sender) = t[1] else { return }
            distribution.markColonyPeer(sender)
            // Transitive connection, as OTP's global does: only between visible nodes, and only
            // when this node connects transitively.
            guard distribution.configuration?.connectsTransitively == true,
                distribution.handshake?.localFlags.contains(.published) != false, !nodes(.hidden).contains(sender)
            else { return }
            for case .atom(let peer) in known where peer != name && !nodes(.connected).contains(peer) {
                Task { _ = await self.connect(to: peer) }
            }
        default:
            break
        }
    }

    /// Asks a newly connected peer for its visible nodes (only Colony peers answer).
    func askForPeers(of peer: Atom) {
        guard let system = distribution.systemPID else { return }
        Task {
            await self.send(
                .tuple(["colony_nodes_request", .pid(system)]), to: Self.peerExchangeName, on: peer, from: system)
        }
    }
}
