public import Colony
import ColonyCluster
import ErlangTerm
import Foundation
import Synchronization

/// The dashboard's I/O shell: a process on the observer node that, every `interval` and at once
/// on each node event, asks every connected node what it shows (`colony_observer:snapshot` on a
/// Colony node; `erlang:system_info(process_count)` and `erlang:nodes(connected)` on an Erlang or
/// Elixir node), feeds the answers to a ``ClusterView`` and hands the new ``ClusterModel`` to its
/// subscribers.
public final class DashboardCollector: Sendable {
    private struct State: ~Copyable {
        var view: ClusterView
        var model: ClusterModel
        var subscribers: [Int: AsyncStream<ClusterModel>.Continuation] = [:]
        var nextSubscriber = 0
        var pid: PID?
        var watcher: Task<Void, Never>?
        var connecting: Set<String> = []
        var stopped = false
    }

    /// The node the dashboard runs on.
    public let node: Node
    /// How often it asks every node.
    public let interval: Duration
    /// How long a node has to answer.
    public let timeout: Duration
    private let state: Mutex<State>

    private init(node: Node, interval: Duration, timeout: Duration) {
        self.node = node
        self.interval = interval
        self.timeout = timeout
        let view = ClusterView(observer: node.name.name)
        state = Mutex(State(view: view, model: view.model(at: Self.now())))
    }

    /// Starts collecting on `node`.
    public static func start(
        on node: Node, interval: Duration = .seconds(1), timeout: Duration = .seconds(2)
    ) -> DashboardCollector {
        let collector = DashboardCollector(node: node, interval: interval, timeout: timeout)
        let pid = node.spawn { process in
            while true {
                await collector.round(process)
                // Wait out the interval, or less when a node event asks for a refresh.
                let message = try await process.receive(timeout: interval)
                if message == "stop" { return }
            }
        }
        let events = node.monitorNodes()
        let watcher = Task {
            for await _ in events { await node.send("refresh", to: pid) }
        }
        collector.state.withLock { state in
            state.pid = pid
            state.watcher = watcher
        }
        return collector
    }

    /// The latest picture.
    public var model: ClusterModel { state.withLock { $0.model } }

    /// The latest picture now, then each new one.
    public func updates() -> AsyncStream<ClusterModel> {
        let (stream, continuation) = AsyncStream<ClusterModel>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state -> Int? in
            continuation.yield(state.model)
            // Once stopped, a late subscriber (a page reconnecting) gets the last picture and the end.
            guard !state.stopped else { return nil }
            defer { state.nextSubscriber += 1 }
            state.subscribers[state.nextSubscriber] = continuation
            return state.nextSubscriber
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Stops collecting and ends every subscriber's stream.
    public func stop() async {
        let (pid, watcher, subscribers) = state.withLock { state in
            state.stopped = true
            defer { state.subscribers = [:] }
            return (state.pid, state.watcher, Array(state.subscribers.values))
        }
        watcher?.cancel()
        if let pid { await node.send("stop", to: pid) }
        for subscriber in subscribers { subscriber.finish() }
    }

    /// One round: this node's own snapshot, who is connected, then every connected node's answer.
    private func round(_ process: ProcessContext) async {
        let own = await node.snapshot()
        let connected = node.nodes(.connected)
        update { view in
            view.observed(own, at: Self.now())
            view.connected(Set(connected.map(\.name)))
        }
        connectToReported(connected: Set(connected.map(\.name)))
        let runtimes = state.withLock { state in connected.map { state.view.runtime(of: $0.name) } }
        var pending: [(peer: Atom, request: RPCRequest, colony: Bool)] = []
        for (peer, runtime) in zip(connected, runtimes) {
            if runtime == "erlang" {
                pending.append((peer, await process.sendRPC(peer, "erlang", "system_info", ["process_count"]), false))
            } else {
                pending.append(
                    (peer, await process.sendRPC(peer, Node.observerModule, "snapshot", [.integer(10)]), true))
            }
        }
        // Membership views from the Colony nodes that run one (the others answer undef).
        var views: [RPCRequest] = []
        var groupRequests: [(Atom, RPCRequest)] = []
        var nameRequests: [(Atom, RPCRequest)] = []
        var keyRequests: [(Atom, RPCRequest)] = []
        var storeRequests: [(Atom, RPCRequest)] = []
        for (peer, _, colony) in pending where colony {
            views.append(await process.sendRPC(peer, ClusterMembership.processName, "view", []))
            groupRequests.append((peer, await process.sendRPC(peer, "colony_pg", "groups", ["pg"])))
            nameRequests.append((peer, await process.sendRPC(peer, "colony_global", "names", [])))
            keyRequests.append((peer, await process.sendRPC(peer, "colony_ddata", "keys", [])))
            storeRequests.append((peer, await process.sendRPC(peer, "colony_store", "status", [])))
        }
        for (peer, request, colony) in pending {
            do {
                let answer = try await request.result(in: process, timeout: timeout)
                if colony {
                    let snapshot = try TermDecoder().decode(NodeSnapshot.self, from: answer)
                    update { $0.observed(snapshot, at: Self.now()) }
                } else {
                    try await observeErlang(peer, processCount: answer, process: process)
                }
            } catch RPCError.error(.atom("undef"), _) where colony {
                // Not a Colony node: an Erlang or Elixir node answers the basic questions.
                if let count = try? await process.rpc(
                    peer, "erlang", "system_info", ["process_count"], timeout: timeout)
                {
                    try? await observeErlang(peer, processCount: count, process: process)
                }
            } catch {
                update { $0.unresponsive(peer.name, why: "\(error)") }
            }
        }
        for request in views {
            guard let answer = try? await request.result(in: process, timeout: timeout),
                let view = try? TermDecoder().decode(MembershipView.self, from: answer)
            else { continue }
            update { $0.observed(view) }
        }
        for (peer, request) in groupRequests {
            guard let answer = try? await request.result(in: process, timeout: timeout),
                case .list(let entries) = answer
            else { continue }
            let groups = entries.compactMap { entry -> ClusterModel.Group? in
                guard case .tuple(let pair) = entry, pair.count == 2, case .list(let pids) = pair[1] else { return nil }
                return ClusterModel.Group(name: "\(pair[0])", members: pids.map { "\($0)" })
            }
            update { $0.observedGroups(groups, of: peer.name) }
        }
        for (peer, request) in storeRequests {
            guard let answer = try? await request.result(in: process, timeout: timeout),
                let replica = ClusterModel.StoreReplica(status: answer)
            else { continue }
            update { $0.observedStore(replica, of: peer.name) }
        }
        for (peer, request) in nameRequests {
            guard let answer = try? await request.result(in: process, timeout: timeout),
                case .list(let entries) = answer
            else { continue }
            let names = entries.compactMap { entry -> ClusterModel.GlobalName? in
                guard case .tuple(let pair) = entry, pair.count == 2 else { return nil }
                return ClusterModel.GlobalName(name: "\(pair[0])", pid: "\(pair[1])")
            }
            update { $0.observedGlobalNames(names, of: peer.name) }
        }
        for (peer, request) in keyRequests {
            guard let answer = try? await request.result(in: process, timeout: timeout),
                case .list(let entries) = answer
            else { continue }
            let keys = entries.compactMap { entry -> ClusterModel.ReplicatedKey? in
                guard case .tuple(let t) = entry, t.count == 3, let key = t[0].stringValue,
                    let type = t[1].stringValue, let summary = t[2].stringValue
                else { return nil }
                return ClusterModel.ReplicatedKey(key: key, type: type, summary: summary)
            }
            update { $0.observedReplicatedKeys(keys, of: peer.name) }
        }
    }

    /// Connects, in the background, to the nodes other nodes report and this one does not see,
    /// so the picture covers the whole cluster even from a hidden node.
    private func connectToReported(connected: Set<String>) {
        let fresh = state.withLock { state -> Set<String> in
            let fresh = state.view.unconnected(given: connected).subtracting(state.connecting)
            state.connecting.formUnion(fresh)
            return fresh
        }
        for name in fresh {
            Task {
                _ = await node.connect(to: Atom(name))
                state.withLock { _ = $0.connecting.remove(name) }
            }
        }
    }

    private func observeErlang(_ peer: Atom, processCount: Term, process: ProcessContext) async throws {
        guard case .integer(let count) = processCount else { throw RPCError.thrown(processCount) }
        let peers = try await process.rpc(peer, "erlang", "nodes", ["connected"], timeout: timeout)
        var names: [String] = []
        if case .list(let elements) = peers { for case .atom(let name) in elements { names.append(name.name) } }
        update { $0.observedErlang(peer.name, processCount: count, connections: names, at: Self.now()) }
    }

    private func update(_ change: (inout ClusterView) -> Void) {
        let (model, subscribers) = state.withLock { state in
            change(&state.view)
            state.model = state.view.model(at: Self.now())
            return (state.model, Array(state.subscribers.values))
        }
        for subscriber in subscribers { subscriber.yield(model) }
    }

    static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
