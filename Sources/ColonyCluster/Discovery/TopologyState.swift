public import ErlangTerm

/// One topology's formation logic, as a pure state machine: it is told what the strategy found,
/// which nodes are connected, how connection attempts ended, and the time; it answers which nodes
/// to connect to and which to disconnect. Time and randomness come in from outside, so it runs
/// the same in tests and in simulation.
///
/// - A listed node that is not connected is connected, and reconnected after it drops, with
///   exponential backoff and jitter between failed attempts (libcluster's DNS and Kubernetes
///   strategies never reconnect: its issue #148).
/// - A node heard by gossip stays listed for ``Options/heardExpiry`` after its last heartbeat.
/// - A connected node that is no longer listed is disconnected only with ``Options/prunes``
///   (libcluster always prunes: its issue #190).
public struct TopologyState: Sendable {
    /// How the topology behaves.
    public struct Options: Sendable, Equatable {
        /// Disconnect connected nodes the source no longer lists.
        public var prunes = false
        /// How long a node heard by gossip stays listed after its last heartbeat.
        public var heardExpiry: Duration = .seconds(15)
        /// The wait after the first failed attempt; it doubles with each failure.
        public var backoffBase: Duration = .milliseconds(500)
        /// The longest wait between attempts.
        public var backoffLimit: Duration = .seconds(30)

        /// The defaults: no pruning, 15 s gossip expiry, backoff from 0.5 s to 30 s.
        public init() {}
    }

    /// One directive for the shell.
    public enum Directive: Sendable, Equatable {
        /// Try to connect to the node; report with ``attempted(_:succeeded:at:random:)``.
        case connect(Atom)
        /// Disconnect the node.
        case disconnect(Atom)
    }

    private struct Known {
        var heardAt: Duration?
        var listed = false
        var failures = 0
        var nextAttempt: Duration = .zero
        var attempting = false
    }

    /// This node, never connected to itself.
    public let local: Atom
    /// The options.
    public let options: Options
    private var known: [Atom: Known] = [:]
    private var connected: Set<Atom> = []

    /// The formation of `local`'s cluster with `options`.
    public init(local: Atom, options: Options = Options()) {
        self.local = local
        self.options = options
    }

    /// The nodes the source lists now (including gossip heard within the expiry).
    public func listed(at now: Duration) -> Set<Atom> {
        Set(known.filter { isListed($0.value, at: now) }.keys)
    }

    /// The strategy found something at `now`.
    public mutating func sighted(_ sighting: DiscoverySighting, at now: Duration) -> [Directive] {
        switch sighting {
        case .listed(let nodes):
            for name in known.keys where !nodes.contains(name) { known[name]?.listed = false }
            for name in nodes where name != local { known[name, default: Known()].listed = true }
        case .heard(let name):
            guard name != local else { return [] }
            known[name, default: Known()].heardAt = now
        }
        return directives(at: now)
    }

    /// The nodes connected at `now` (`nodes(connected)`).
    public mutating func connected(_ nodes: Set<Atom>, at now: Duration) -> [Directive] {
        for name in nodes where !connected.contains(name) {
            // Connected, by us or by the other side: the backoff starts over.
            known[name]?.failures = 0
            known[name]?.nextAttempt = .zero
            known[name]?.attempting = false
        }
        connected = nodes
        return directives(at: now)
    }

    /// Time passed.
    public mutating func tick(at now: Duration) -> [Directive] {
        directives(at: now)
    }

    /// A connection attempt ended. `random` in `0..<1` spreads the next attempt over the upper
    /// half of the backoff, so that nodes that lost each other do not retry in lockstep.
    public mutating func attempted(_ name: Atom, succeeded: Bool, at now: Duration, random: Double) -> [Directive] {
        guard var entry = known[name] else { return [] }
        entry.attempting = false
        if succeeded {
            entry.failures = 0
            entry.nextAttempt = .zero
            connected.insert(name)
        } else {
            entry.failures += 1
            let doubling = min(entry.failures - 1, 16)
            let backoff = min(options.backoffBase * (1 << doubling), options.backoffLimit)
            entry.nextAttempt = now + backoff * (0.5 + 0.5 * min(max(random, 0), 1))
        }
        known[name] = entry
        return directives(at: now)
    }

    /// How many attempts to reach `name` failed in a row.
    public func failures(of name: Atom) -> Int {
        known[name]?.failures ?? 0
    }

    private func isListed(_ entry: Known, at now: Duration) -> Bool {
        entry.listed || entry.heardAt.map { now - $0 <= options.heardExpiry } ?? false
    }

    private mutating func directives(at now: Duration) -> [Directive] {
        var out: [Directive] = []
        for name in known.keys.sorted(by: { $0.name < $1.name }) {
            guard var entry = known[name] else { continue }
            let listed = isListed(entry, at: now)
            if listed, !connected.contains(name), !entry.attempting, now >= entry.nextAttempt {
                entry.attempting = true
                out.append(.connect(name))
            } else if !listed, connected.contains(name), options.prunes {
                out.append(.disconnect(name))
            }
            // Forget what is neither listed nor connected nor being tried.
            if !listed && !connected.contains(name) && !entry.attempting {
                known[name] = nil
            } else {
                known[name] = entry
            }
        }
        return out
    }
}
