public import CoreMetrics

/// The counters of one connection, per peer: messages and bytes each way. Created once per
/// connection, so the hot path only increments (`nil` on a connection means metrics are off).
public struct ConnectionMetrics: Sendable {
    /// Messages queued for the peer.
    public let messagesSent: Counter
    /// Messages read from the peer.
    public let messagesReceived: Counter
    /// Bytes handed to the socket.
    public let bytesSent: Counter
    /// Bytes read from the socket, frame headers included.
    public let bytesReceived: Counter

    /// Counters for the connection from `node` to `peer`, from the bootstrapped metrics system.
    public init(node: String, peer: String) {
        let dimensions = [("node", node), ("peer", peer)]
        messagesSent = Counter(label: "colony_distribution_messages_sent_total", dimensions: dimensions)
        messagesReceived = Counter(label: "colony_distribution_messages_received_total", dimensions: dimensions)
        bytesSent = Counter(label: "colony_distribution_bytes_sent_total", dimensions: dimensions)
        bytesReceived = Counter(label: "colony_distribution_bytes_received_total", dimensions: dimensions)
    }
}
