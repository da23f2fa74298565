public import ErlangTerm

extension ProcessContext {
    /// Calls `module:function(arguments)` on `node` and returns its result (`erpc:call/5`).
    ///
    /// On an Erlang or Elixir node this runs any function of its code; on a Colony node, a Swift
    /// function registered in its ``Node/functions``. The call is a `spawn_request` of
    /// `erpc:execute_call/4` with a monitor, as OTP's own: the result comes back in the exit
    /// reason of the remote process.
    ///
    /// - Parameter timeout: `nil` waits as long as the node is up.
    /// - Throws: ``RPCError``.
    public func rpc(
        _ node: Atom, _ module: Atom, _ function: Atom, _ arguments: [Term], timeout: Duration? = nil
    ) async throws -> Term {
        guard let tracer = self.node.tracer else {
            return try await sendRPC(node, module, function, arguments).result(in: self, timeout: timeout)
        }
        let method = "\(module.name):\(function.name)/\(arguments.count)"
        return try await tracer.withSpan(
            "rpc.call \(method)", kind: .client,
            attributes: ["rpc.system": "erpc", "rpc.method": method, "colony.peer": node.name]
        ) { try await sendRPC(node, module, function, arguments).result(in: self, timeout: timeout) }
    }

    /// Starts `module:function(arguments)` on `node` without waiting (`erpc:send_request/4`,
    /// `rpc:async_call/4`); wait with ``RPCRequest/result(in:timeout:)``.
    public func sendRPC(_ target: Atom, _ module: Atom, _ function: Atom, _ arguments: [Term]) async -> RPCRequest {
        let request = RPCRequest(node: target, requestID: node.makeReference(), tag: node.makeReference())
        let payload: Term = .list([.reference(request.tag), .atom(module), .atom(function), .list(arguments)])
        await node.spawnRequest(
            on: target, id: request.requestID, from: process, module: "erpc", function: "execute_call",
            arguments: payload, monitor: true)
        return request
    }

    /// Runs `module:function(arguments)` on `node` and forgets it (`erpc:cast/4`, `rpc:cast/4`).
    public func castRPC(_ target: Atom, _ module: Atom, _ function: Atom, _ arguments: [Term]) async {
        let payload: Term = .list([.atom(module), .atom(function), .list(arguments)])
        await node.spawnRequest(
            on: target, id: node.makeReference(), from: process, module: "erpc", function: "execute_cast",
            arguments: payload, monitor: false)
    }

    /// Calls `module:function(arguments)` on every node at once (`erpc:multicall/5`); the results
    /// are in the order of `nodes`. Each node gets the whole `timeout`, measured from the start.
    public func multicall(
        _ nodes: [Atom], _ module: Atom, _ function: Atom, _ arguments: [Term], timeout: Duration? = nil
    ) async throws -> [Result<Term, RPCError>] {
        var requests: [RPCRequest] = []
        for target in nodes { requests.append(await sendRPC(target, module, function, arguments)) }
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var results: [Result<Term, RPCError>] = []
        for request in requests {
            let remaining = deadline.map { max($0 - ContinuousClock.now, .zero) }
            if let result = try await request.poll(in: self, timeout: remaining) {
                results.append(result)
            } else {
                await demonitor(request.requestID, flush: true)
                results.append(.failure(.timeout))
            }
        }
        return results
    }

    /// `rpc:multicall/5`: the results of the nodes that answered, in the order of `nodes` (a
    /// failure as its `{badrpc, Reason}` term, a throw as the thrown value), and the nodes that
    /// were down or did not answer in time.
    public func rpcMulticall(
        _ nodes: [Atom], _ module: Atom, _ function: Atom, _ arguments: [Term], timeout: Duration? = nil
    ) async throws -> (results: [Term], badNodes: [Atom]) {
        let outcomes = try await multicall(nodes, module, function, arguments, timeout: timeout)
        var results: [Term] = []
        var badNodes: [Atom] = []
        for (target, outcome) in zip(nodes, outcomes) {
            switch outcome {
            case .success(let value): results.append(value)
            case .failure(.noconnection), .failure(.timeout): badNodes.append(target)
            case .failure(let error): results.append(error.rpcResult)
            }
        }
        return (results, badNodes)
    }
}
