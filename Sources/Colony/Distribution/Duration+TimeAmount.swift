import NIOCore

extension Duration {
    /// The duration as whole nanoseconds.
    var nanosecondCount: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// The duration as a SwiftNIO `TimeAmount`.
    var timeAmount: TimeAmount { .nanoseconds(nanosecondCount) }
}
