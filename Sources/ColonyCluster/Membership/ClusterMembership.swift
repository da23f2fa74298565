public import Colony
public import ErlangTerm
import Foundation
import Logging
public import ServiceLifecycle
import Synchronization

/// The membership view of a running node and its failure detector: the shell of
/// ``MembershipState``. A process registered as `colony_membership` probes one member each
/// period by asking its `net_kernel` (`{is_auth, Node}`, which every Erlang, Elixir and Colony
/// node answers), asks other Colony members' `colony_membership` to probe for it when the direct
/// probe is late, and answers their requests. Node events come in as messages, so everything
/// the view learns goes through one mailbox, in order.
///
/// Runs as a `Service` until graceful shutdown or cancellation; on the way out it tells the Colony
/// members it is leaving. Other nodes read the view with `colony_membership:view()`.
public final class ClusterMembership: Service, Sendable {
    /// The name of the membership process on every Colony node that runs one.
    public static let processName: Atom = "colony_membership"

    /// The node it runs on.
    public let node: Node
    /// How it probes.
    public let settings: MembershipSettings
    private let state: Mutex<Shared>
    private let broadcast = Broadcast<MembershipChange>()
    private let start = ContinuousClock.now
    private let logger = Logger(label: "colony.cluster.membership")

    private struct Shared: ~Copyable {
        var machine: MembershipState
        var pid: PID?
    }

    /// A membership view for `node`; `seed` fixes its random choices (default: random).
    public init(node: Node, settings: MembershipSettings = .init(), seed: UInt64 = .random(in: 0...(.max))) {
        self.node = node
        self.settings = settings
        let started = Int(Date().timeIntervalSince1970 * 1000)
        state = Mutex(Shared(machine: MembershipState(me: node.name, started: started, settings: settings, seed: seed)))
    }

    /// The view now, this node included.
    public var view: MembershipView { state.withLock { $0.machine.view } }

    /// The other members now.
    public var members: [Member] { state.withLock { $0.machine.members } }

    /// The status of `node` now (`nil`: not a member).
    public func status(of node: Atom) -> MemberStatus? {
        if node == self.node.name { return .up }
        return state.withLock { $0.machine.member(node)?.status }
    }

    /// The changes from now on, in order.
    public func changes() -> AsyncStream<MembershipChange> { broadcast.subscribe() }

    /// Takes `member` out of the cluster if it is still unreachable (or suspect): marks it down
    /// and disconnects it. It becomes a member again if it reconnects.
    public func down(_ member: Atom) async {
        guard let pid = state.withLock({ $0.pid }) else { return }
        await node.send(MembershipMessage.down(member).term, to: pid)
    }

    /// Every Colony member's view, by member (each node's reachability as it sees it), asked with
    /// `colony_membership:view()`; members that do not answer within `timeout` are left out.
    public func reachability(timeout: Duration = .seconds(2)) async -> [String: MembershipView] {
        var views = [node.name.name: view]
        let peers = members.filter { $0.isColony && $0.isConnected }.map(\.name)
        let answers = Mutex<[String: MembershipView]>([:])
        let done = AsyncStream<Void>.makeStream()
        let pid = node.spawn { process in
            defer { done.continuation.finish() }
            // Every request goes out before the first answer is awaited.
            var requests: [(Atom, RPCRequest)] = []
            for peer in peers { requests.append((peer, await process.sendRPC(peer, Self.processName, "view", []))) }
            for (peer, request) in requests {
                guard let term = try? await request.result(in: process, timeout: timeout),
                    let view = try? TermDecoder().decode(MembershipView.self, from: term)
                else { continue }
                answers.withLock { $0[peer.name] = view }
            }
        }
        _ = pid
        for await _ in done.stream {}
        views.merge(answers.withLock { $0 }) { mine, _ in mine }
        return views
    }

    public func run() async throws {
        node.functions.register(module: Self.processName, function: "view") { [weak self] _, _ in
            guard let self else { throw ProcessExit("undef") }
            return try TermEncoder().encode(self.view)
        }
        let events = node.monitorNodes()
        let pid = node.spawn { process in try await self.loop(process) }
        _ = node.register(Self.processName, pid: pid)
        state.withLock { $0.pid = pid }
        // The connections open before it started are members too.
        for peer in node.nodes(.visible) { await node.send(MembershipMessage.nodeUp(peer).term, to: pid) }
        await cancelWhenGracefulShutdown {
            for await event in events {
                switch event {
                case .nodeUp(let peer, let hidden):
                    if !hidden { await self.node.send(MembershipMessage.nodeUp(peer).term, to: pid) }
                case .nodeDown(let peer, let hidden, let reason):
                    if !hidden { await self.node.send(MembershipMessage.nodeDown(peer, reason: reason).term, to: pid) }
                }
            }
        }
        await node.send(MembershipMessage.stop.term, to: pid)
        node.functions.unregister(module: Self.processName, function: "view")
        broadcast.finish()
    }

    private var now: Duration { ContinuousClock.now - start }

    private var startedAt: Int { state.withLock { $0.machine.started } }

    /// The membership process: messages in, effects out, a tick at least every eighth of the
    /// probe timeout (at most every 50 ms).
    private func loop(_ process: ProcessContext) async throws {
        var probes: [Reference: (id: Int, sent: Duration)] = [:]
        let tick = min(max(settings.probeTimeout / 8, .milliseconds(10)), .milliseconds(50))
        while true {
            let message = try await process.receive(timeout: tick)
            let now = self.now
            var effects: [MembershipState.Effect] = []
            if let message {
                if case .tuple(let t) = message, t.count == 2, case .reference(let tag) = t[0],
                    let probe = probes.removeValue(forKey: tag)
                {
                    if t[1] == "yes" { effects = state.withLock { $0.machine.acknowledged(probe.id, at: now) } }
                } else if let decoded = MembershipMessage(message) {
                    if decoded == .stop {
                        await sayGoodbye(process)
                        return
                    }
                    effects = await handle(decoded, process: process, at: now)
                }
            }
            effects += state.withLock { $0.machine.tick(at: now) }
            // Answers that never came.
            let stale = settings.probeInterval * (settings.maxLocalHealth + 1)
            probes = probes.filter { now - $0.value.sent < stale }
            for effect in effects { await perform(effect, process: process, probes: &probes, at: now) }
        }
    }

    private func handle(
        _ message: MembershipMessage, process: ProcessContext, at now: Duration
    ) async -> [MembershipState.Effect] {
        switch message {
        case .nodeUp(let peer):
            let hello = MembershipMessage.hello(node.name, started: startedAt, wantsReply: true)
            await process.send(hello.term, to: Self.processName, on: peer)
            return state.withLock { $0.machine.connected(peer, at: now) }
        case .nodeDown(let peer, let reason):
            return state.withLock { $0.machine.disconnected(peer, reason: reason, at: now) }
        case .hello(let peer, let started, let wantsReply):
            if wantsReply {
                let hello = MembershipMessage.hello(node.name, started: startedAt, wantsReply: false)
                await process.send(hello.term, to: Self.processName, on: peer)
            }
            return state.withLock { $0.machine.introduced(peer, started: started, at: now) }
        case .leaving(let peer):
            return state.withLock { $0.machine.leaving(peer, at: now) }
        case .probeRequest(let from, let id, let target):
            return state.withLock { $0.machine.probeRequested(by: from, target: target, id: id, at: now) }
        case .probeAnswer(let id, _, let reached):
            return state.withLock { $0.machine.answered(id, reached: reached, at: now) }
        case .down(let peer):
            // Disconnected only if it is still cut off: a member back since the decision stays.
            let effects = state.withLock { $0.machine.markDown(peer, at: now) }
            if !effects.isEmpty { _ = await node.disconnect(peer) }
            return effects
        case .stop:
            return []
        }
    }

    private func perform(
        _ effect: MembershipState.Effect, process: ProcessContext,
        probes: inout [Reference: (id: Int, sent: Duration)], at now: Duration
    ) async {
        switch effect {
        case .probe(let target, let id):
            let tag = process.makeReference()
            probes[tag] = (id, now)
            let request: Term = .tuple([
                "$gen_call", .tuple([.pid(process.pid), .reference(tag)]), .tuple(["is_auth", .atom(node.name)]),
            ])
            await process.send(request, to: "net_kernel", on: target)
        case .requestProbe(let helper, let target, let id):
            await process.send(
                MembershipMessage.probeRequest(from: node.name, id: id, target: target).term, to: Self.processName,
                on: helper)
        case .answer(let requester, let target, let id, let reached):
            await process.send(
                MembershipMessage.probeAnswer(id: id, target: target, reached: reached).term, to: Self.processName,
                on: requester)
        case .changed(let change):
            note(change)
            broadcast.yield(change)
        }
    }

    private func sayGoodbye(_ process: ProcessContext) async {
        for member in members where member.isColony && member.isConnected {
            await process.send(MembershipMessage.leaving(node.name).term, to: Self.processName, on: member.name)
        }
    }

    private func note(_ change: MembershipChange) {
        let from = change.from?.rawValue ?? "none"
        let to = change.to?.rawValue ?? "removed"
        switch change.to {
        case .suspect?, .unreachable?: logger.warning("member \(change.name): \(from) -> \(to)")
        default: logger.info("member \(change.name): \(from) -> \(to)")
        }
        node.record(.member, subject: change.name.name, detail: "\(from) -> \(to)")
    }
}
