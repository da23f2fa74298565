import ErlangDistribution
public import ErlangTerm
public import NIOCore
public import NIOPosix
import Synchronization

extension Node {
    /// `net_adm:ping/1`: connects to `peer` and asks its `net_kernel` whether this node is
    /// authorised; `true` for pong.
    public func ping(_ peer: Atom, timeout: Duration = .seconds(7)) async -> Bool {
        if peer == name { return true }
        guard await connect(to: peer) == .connected else { return false }
        let answer = Answer()
        let done = spawn { process in
            var pong = false
            defer { answer.set(pong) }
            let tag = process.makeReference()
            let request: Term = .tuple([
                "$gen_call", .tuple([.pid(process.pid), .reference(tag)]),
                .tuple(["is_auth", .atom(process.node.name)]),
            ])
            await process.send(request, to: "net_kernel", on: peer)
            let reply = try await process.receive(timeout: timeout) { message -> Term? in
                guard case .tuple(let t) = message, t.count == 2, t[0] == .reference(tag) else { return nil }
                return t[1]
            }
            pong = reply == "yes"
        }
        _ = done
        return await answer.value()
    }

    /// The names registered with the EPMD at `host:port` (`net_adm:names/1`).
    public static func epmdNames(
        host: String, port: Int, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> [(name: String, port: Int)] {
        try await EPMDClient(group: eventLoopGroup).names(host: host, port: port)
    }
}

/// A one-shot answer from a process to the task waiting for it.
final class Answer: Sendable {
    private let state = Mutex<(value: Bool?, waiter: CheckedContinuation<Bool, Never>?)>((nil, nil))

    func set(_ value: Bool) {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard state.value == nil else { return nil }
            state.value = value
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: value)
    }

    func value() async -> Bool {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool? in
                if let value = state.value { return value }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
