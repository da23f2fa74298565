/// OTP's restart intensity: at most `maxRestarts` restarts within any `period`; one more and the
/// supervisor gives up. A pure value: the time of each restart is passed in, so tests drive it
/// with made-up instants.
///
/// As `supervisor.erl`'s `add_restart/3`: a restart at `now` forgets the restarts older than
/// `now - period`, is recorded, and is allowed when at most `maxRestarts` remain. OTP counts in
/// whole seconds; this counts exactly, so the window is `period` rather than up to a second more.
struct RestartIntensity: Sendable, Equatable {
    /// Restarts allowed within `period`; 0 means the first restart is already too many.
    let maxRestarts: Int
    /// The window.
    let period: Duration
    /// The restarts still inside the window, oldest first.
    private(set) var restarts: [ContinuousClock.Instant] = []

    init(maxRestarts: Int, period: Duration) {
        self.maxRestarts = maxRestarts
        self.period = period
    }

    /// Records a restart at `now`; `false` when it exceeds the intensity (give up).
    mutating func recordRestart(at now: ContinuousClock.Instant) -> Bool {
        let threshold = now - period
        restarts.removeAll { $0 < threshold }
        restarts.append(now)
        return restarts.count <= maxRestarts
    }
}
