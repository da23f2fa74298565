/// A question the handshake handler asks the node (accept this peer? is the old connection
/// stale?), answered at once or asynchronously.
public enum HandshakeCallback<Input: Sendable, Output: Sendable>: Sendable {
    /// Answered synchronously, on the channel's event loop: keep it short and non-blocking.
    case immediate(@Sendable (Input) -> Output)
    /// Answered by an async function; the handshake waits (within its timeout) for the answer.
    case async(@Sendable (Input) async -> Output)

    /// A callback that always answers `output`.
    public static func always(_ output: Output) -> HandshakeCallback {
        .immediate { _ in output }
    }
}
