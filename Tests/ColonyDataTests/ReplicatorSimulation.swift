import Colony
import ErlangTerm

@testable import ColonyData

/// Replicator state machines for several nodes on a simulated network that delivers in random
/// order, loses messages and partitions; every message crosses as ETF bytes, as on the wire.
struct ReplicatorSimulation {
    var nodes: [Atom: ReplicatorState] = [:]
    var names: [Atom]
    /// Messages in flight: sender, receiver, bytes.
    var network: [(from: Atom, to: Atom, bytes: [UInt8])] = []
    var random: SeededRandom
    /// Which side of a partition each node is on; one side when healed.
    var side: [Atom: Int] = [:]
    var lossPercent = 0
    /// Bytes of anti-entropy (digests, fetches, fetched parts) delivered, per receiver.
    var transferBytes: [Atom: Int] = [:]

    init(nodes count: Int, seed: UInt64, settings: ReplicatorSettings = ReplicatorSettings()) {
        random = SeededRandom(seed: seed)
        names = (0..<count).map { Atom("n\($0)@sim") }
        for (index, name) in names.enumerated() {
            nodes[name] = ReplicatorState(
                me: name, incarnation: UInt64(100 + index), settings: settings, seed: seed &+ UInt64(index))
            side[name] = 0
        }
        // Everyone connects to everyone: each node hears nodeup for the others.
        for name in names {
            perform(name, nodes[name]!.started(connected: names.filter { $0 != name }))
        }
    }

    func connected(_ a: Atom, _ b: Atom) -> Bool { side[a] == side[b] }

    mutating func perform(_ node: Atom, _ effects: [ReplicatorState.Effect]) {
        for effect in effects {
            guard case .send(let message, let target) = effect, connected(node, target) else { continue }
            network.append((node, target, try! ETF.encode(message.term)))
        }
    }

    mutating func update<V: ReplicatedData>(_ node: Atom, _ key: DataKey<V>, _ mutate: (inout V, ReplicaID) -> V) {
        _ = try! nodes[node]!.update(key, mutate)
    }

    mutating func flush(_ node: Atom) { perform(node, nodes[node]!.flush()) }

    mutating func tick(_ node: Atom) { perform(node, nodes[node]!.tick()) }

    /// Delivers (or loses) one random message in flight.
    mutating func deliverOne() {
        guard !network.isEmpty else { return }
        let message = network.remove(at: Int.random(in: 0..<network.count, using: &random))
        guard connected(message.from, message.to), Int.random(in: 0..<100, using: &random) >= lossPercent else {
            return
        }
        let term = try! ETF.decode(message.bytes)
        if ReplicatorMessage(term)?.isAntiEntropy == true {
            transferBytes[message.to, default: 0] += message.bytes.count
        }
        perform(message.to, nodes[message.to]!.receive(term))
    }

    /// Cuts the cluster into `groups`: connections across break (nodedown both ways).
    mutating func partition(_ groups: [[Atom]]) {
        let before = side
        for (index, group) in groups.enumerated() { for name in group { side[name] = index } }
        for a in names {
            for b in names where a != b && before[a] == before[b] && side[a] != side[b] {
                nodes[a]!.nodeDown(b)
            }
        }
    }

    /// Bytes of anti-entropy delivered to anyone.
    var totalTransferBytes: Int { transferBytes.values.reduce(0, +) }

    /// Rejoins everything: connections come back (nodeup both ways).
    mutating func heal() {
        let before = side
        for name in names { side[name] = 0 }
        for a in names {
            for b in names where a != b && before[a] != before[b] {
                perform(a, nodes[a]!.nodeUp(b))
            }
        }
    }

    /// Flushes, runs gossip rounds and delivers everything, `rounds` times, without loss.
    mutating func settle(rounds: Int = 3) {
        let loss = lossPercent
        lossPercent = 0
        for _ in 0..<rounds {
            for name in names { flush(name) }
            for name in names { tick(name) }
            var bound = 1_000_000
            while !network.isEmpty && bound > 0 {
                deliverOne()
                bound -= 1
            }
        }
        lossPercent = loss
    }

    func value<V: ReplicatedData>(_ node: Atom, _ key: DataKey<V>) -> V? { try? nodes[node]!.value(key) }
}
