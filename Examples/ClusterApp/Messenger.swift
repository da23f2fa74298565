import Colony
import ErlangTerm

/// The guide's `DistributedMessenger`, in Swift: every function runs as the calling process.
enum DistributedMessenger {
    /// `send_to_pid/2`: `{distributed_message, FromNode, Message}` to a pid on any node.
    static func send(_ message: Term, toPID pid: PID, from process: ProcessContext) async {
        await process.send(.tuple(["distributed_message", .atom(process.node.name), message]), to: pid)
    }

    /// `send_to_named/3`: the same to `{Name, Node}`.
    static func send(_ message: Term, toNamed name: Atom, on node: Atom, from process: ProcessContext) async {
        await process.send(.tuple(["distributed_message", .atom(process.node.name), message]), to: name, on: node)
    }

    /// `remote_call/5`: `{ok, Result}` or `{error, {rpc_failed, Reason}}`.
    static func remoteCall(
        _ node: Atom, _ module: Atom, _ function: Atom, _ arguments: [Term], timeout: Duration = .seconds(5),
        from process: ProcessContext
    ) async throws -> Term {
        do {
            return .tuple(["ok", try await process.rpc(node, module, function, arguments, timeout: timeout)])
        } catch let error as RPCError {
            return .tuple(["error", .tuple(["rpc_failed", error.rpcResult])])
        }
    }

    /// `async_remote_call/4`.
    static func asyncRemoteCall(
        _ node: Atom, _ module: Atom, _ function: Atom, _ arguments: [Term], from process: ProcessContext
    )
        async -> RPCRequest
    {
        await process.sendRPC(node, module, function, arguments)
    }

    /// `get_async_result/2`.
    static func asyncResult(_ request: RPCRequest, timeout: Duration = .seconds(5), in process: ProcessContext)
        async throws -> Term
    {
        do {
            return try await request.result(in: process, timeout: timeout)
        } catch let error as RPCError {
            return error.rpcResult
        }
    }

    /// `multicast_call/3`: every connected node's result (`{badrpc, _}` for a failure) and the
    /// nodes that were down or too slow.
    static func multicastCall(_ module: Atom, _ function: Atom, _ arguments: [Term], from process: ProcessContext)
        async throws -> (results: [Term], badNodes: [Atom])
    {
        let (results, bad) = try await process.rpcMulticall(
            process.node.nodes(), module, function, arguments, timeout: .seconds(5))
        return (results, bad)
    }
}
