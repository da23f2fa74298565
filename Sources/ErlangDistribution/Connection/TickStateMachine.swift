/// The liveness check of one connection, as OTP's `net_kernel` ticker does it: a timer fires four
/// times per `net_ticktime`; each firing sends a tick if nothing was written since the last one,
/// and a connection from which nothing was read for four firings in a row is down
/// (`net_tick_timeout`).
///
/// Pure: the shell calls ``fire(readSinceLast:wroteSinceLast:)`` from its timer and performs the
/// returned directive.
public struct TickStateMachine: Sendable {
    /// What the shell must do after a timer firing.
    public enum Directive: Sendable, Equatable {
        /// Nothing.
        case none
        /// Write a tick (an empty frame).
        case sendTick
        /// Close the connection: the peer has been silent for the whole tick time.
        case disconnect
    }

    /// The firings per tick time.
    public static let firingsPerTickTime = 4

    /// The interval between timer firings for `tickTime`.
    public static func interval(for tickTime: Duration) -> Duration {
        tickTime / firingsPerTickTime
    }

    private var silentFirings = 0

    /// A connection that has just come up.
    public init() {}

    /// One timer firing.
    public mutating func fire(readSinceLast: Bool, wroteSinceLast: Bool) -> Directive {
        if readSinceLast {
            silentFirings = 0
        } else {
            silentFirings += 1
            if silentFirings >= Self.firingsPerTickTime { return .disconnect }
        }
        return wroteSinceLast ? .none : .sendTick
    }
}
