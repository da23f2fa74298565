import Colony
import ColonyCluster
import ColonyConfiguration
import ErlangTerm
import Foundation
import Synchronization

/// The membership view, partition handler and split-brain resolver the settings ask for, run
/// beside a started node until it stops; what they report is printed, one line each.
enum ClusterHealth {
    /// Set when the split-brain resolver stopped the node: `colony node` then exits with status 3.
    static let stoppedBySplitBrain = Atomic<Bool>(false)

    static func start(_ settings: ClusterSettings, node: Node) {
        guard settings.probeInterval > 0 else { return }
        var options = MembershipSettings()
        options.probeInterval = .milliseconds(settings.probeInterval)
        options.probeTimeout = min(options.probeTimeout, .milliseconds(settings.probeInterval) * 0.4)
        options.suspicionTimeout = .milliseconds(settings.suspicionTimeout)
        options.indirectProbes = settings.indirectProbes
        let membership = ClusterMembership(node: node, settings: options)
        let partitions = PartitionHandler(membership: membership)
        var running: [Task<Void, Never>] = []
        let changes = membership.changes()
        running.append(Task { for await change in changes { say(line(for: change)) } })
        let partitionEvents = partitions.events()
        running.append(Task { for await event in partitionEvents { if let text = line(for: event) { say(text) } } })
        running.append(Task { try? await membership.run() })
        running.append(Task { try? await partitions.run() })
        if let choice = settings.splitBrain {
            let action = SplitBrainResolver.Action(rawValue: settings.splitBrainAction) ?? .shutDown
            let resolver = SplitBrainResolver(
                membership: membership, strategy: strategy(choice), stableAfter: .milliseconds(settings.stableAfter),
                action: action,
                onShutDown: {
                    stoppedBySplitBrain.store(true, ordering: .relaxed)
                    // The node stops the way SIGTERM stops it: its service group shuts down gracefully.
                    kill(getpid(), SIGTERM)
                })
            let events = resolver.events()
            running.append(Task { for await event in events { say(line(for: event)) } })
            running.append(Task { try? await resolver.run() })
            say("split brain: \(settings.splitBrainAction) with \(strategy(choice))")
        }
        // Everything stops with the node (its event stream ends).
        let ended = node.monitorNodes()
        Task {
            for await _ in ended {}
            for task in running { task.cancel() }
        }
    }

    static func strategy(_ setting: SplitBrainSetting) -> SplitBrainStrategy {
        switch setting {
        case .keepMajority: .keepMajority
        case .staticQuorum(let quorum): .staticQuorum(quorum)
        case .keepOldest(let downIfAlone): .keepOldest(downIfAlone: downIfAlone)
        case .keepReferee(let referee, let minimum): .keepReferee(Atom(referee), minimum: minimum)
        case .downAll: .downAll
        }
    }

    private static func line(for change: MembershipChange) -> String {
        "member \(change.name) \(change.from?.rawValue ?? "none") -> \(change.to?.rawValue ?? "removed")"
    }

    private static func line(for event: PartitionTracker.Event) -> String? {
        switch event {
        case .partitionStarted(let unreachable):
            "partition started: \(unreachable.map(\.name).sorted().joined(separator: ","))"
        case .partitionHealed(let duration):
            "partition healed after \(duration.milliseconds) ms"
        case .nodeUp, .nodeDown: nil
        }
    }

    private static func line(for event: SplitBrainResolver.Event) -> String {
        switch event {
        case .kept(let downing): "split brain: kept, downing \(downing.map(\.name).sorted().joined(separator: ","))"
        case .lost(let action): "split brain: lost, \(action.rawValue)"
        case .resumed: "split brain: resumed"
        }
    }
}

extension Duration {
    fileprivate var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
