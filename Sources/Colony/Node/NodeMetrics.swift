public import CoreMetrics
import ErlangDistribution
import NIOCore

/// A node's metrics (swift-metrics): per-connection traffic counters (see
/// ``ErlangDistribution/ConnectionMetrics``), call latency, supervisor restarts, and gauges
/// sampled once a second off the hot path: processes, connections, and mailbox depths. They go to
/// whatever metrics backend the program bootstrapped (Prometheus in `colony node`).
public final class NodeMetrics: Sendable {
    /// The node's name, the `node` dimension of every metric.
    public let node: String
    /// GenServer call round trips, as callers see them.
    public let callDuration: Timer
    /// Children restarted by this node's supervisors.
    public let supervisorRestarts: Counter
    let processes: Gauge
    let connections: Gauge
    let deepestMailbox: Gauge
    let queuedMessages: Gauge

    init(node: String) {
        self.node = node
        let dimensions = [("node", node)]
        callDuration = Timer(
            label: "colony_call_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
        supervisorRestarts = Counter(label: "colony_supervisor_restarts_total", dimensions: dimensions)
        processes = Gauge(label: "colony_processes", dimensions: dimensions)
        connections = Gauge(label: "colony_connections", dimensions: dimensions)
        deepestMailbox = Gauge(label: "colony_mailbox_messages_max", dimensions: dimensions)
        queuedMessages = Gauge(label: "colony_mailbox_messages", dimensions: dimensions)
    }

    /// Counters for a new connection to `peer`.
    func connection(to peer: String) -> ConnectionMetrics {
        ConnectionMetrics(node: node, peer: peer)
    }
}

extension Node {
    /// Samples the gauges every second until the node stops.
    func startMetricsSampling(_ metrics: NodeMetrics) {
        let task = eventLoopGroup.any().scheduleRepeatedTask(initialDelay: .zero, delay: .seconds(1)) {
            [weak self] task in
            guard let self, self.distribution.isRunning else {
                task.cancel()
                return
            }
            self.sampleGauges(metrics)
        }
        _ = task
    }

    func sampleGauges(_ metrics: NodeMetrics) {
        let all = processes.all
        metrics.processes.record(all.count)
        metrics.connections.record(distribution.peers.count)
        var deepest = 0
        var total = 0
        for process in all {
            let depth = process.mailbox.count
            deepest = max(deepest, depth)
            total += depth
        }
        metrics.deepestMailbox.record(deepest)
        metrics.queuedMessages.record(total)
    }
}
