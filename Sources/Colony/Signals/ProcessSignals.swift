import ErlangTerm

/// One process's signal state, as a pure value: its links, the monitors it holds and those held
/// on it, whether it traps exits, and how it ended. No I/O happens here; each operation says what
/// the runtime must do (``Node`` applies it, without suspending).
///
/// The rules it keeps, from Erlang's signal semantics:
/// - Each link and monitor records its ``SignalRoute``. A signal that arrives over a connection
///   acts only on a link or monitor made over that same connection; losing a connection breaks
///   exactly the links and monitors made over it.
/// - Each broken link yields exactly one exit signal, and each monitor exactly one `DOWN`: the
///   entry is removed by whichever event breaks it first (the other side's exit, the `DOWN`, the
///   connection's loss, an unlink or demonitor), and any later event finds nothing to act on.
/// - An ended process keeps no links or monitors: a link or monitor that reaches it afterwards is
///   refused (the runtime answers `noproc`).
struct ProcessSignals: Sendable {
    /// One link as this process sees it: its route, and whether this process is taking it down.
    struct Link: Equatable, Sendable {
        /// Where the other process is.
        var route: SignalRoute
        /// Set while this process's `UNLINK_ID` with this id awaits its acknowledgement: the link
        /// no longer acts (OTP's new link protocol), and the entry goes when the ack comes.
        var unlinking: UInt64?
    }

    /// Linked processes (and links being taken down), by the other process.
    private(set) var links: [PID: Link] = [:]
    /// Monitors this process holds.
    private(set) var monitors: [Reference: HeldMonitor] = [:]
    /// Monitors others hold on this process.
    private(set) var watchers: [Reference: Watcher] = [:]
    /// Whether exit signals become `{'EXIT', From, Reason}` messages.
    var trapExit = false
    /// The registered name, if any.
    var registeredName: Atom?
    /// Set once the process has ended.
    private(set) var exitReason: Term?

    /// `true` once the process has ended.
    var hasExited: Bool { exitReason != nil }

    /// The routes over which this process has a link or a monitor either way.
    var routes: Set<SignalRoute> {
        var routes = Set(links.values.map(\.route))
        for monitor in monitors.values { routes.insert(monitor.route) }
        for watcher in watchers.values { routes.insert(watcher.route) }
        return routes
    }

    // MARK: - Links

    /// What ``link(_:route:)`` did.
    enum LinkOutcome: Equatable, Sendable {
        /// A new link: tell the other side.
        case linked
        /// Already linked: nothing to do (Erlang's `link/1` is idempotent).
        case alreadyLinked
        /// This process has ended.
        case exited
    }

    /// This process links to `other` over `route`. A link being taken down is set up again.
    mutating func link(_ other: PID, route: SignalRoute) -> LinkOutcome {
        guard exitReason == nil else { return .exited }
        if let link = links[other], link.unlinking == nil { return .alreadyLinked }
        links[other] = Link(route: route)
        return .linked
    }

    /// Whether this process is linked to `other` (a link being taken down does not count).
    func isLinked(to other: PID) -> Bool {
        guard let link = links[other] else { return false }
        return link.unlinking == nil
    }

    /// The route of the link to `other`, if linked.
    func linkRoute(to other: PID) -> SignalRoute? {
        guard let link = links[other], link.unlinking == nil else { return nil }
        return link.route
    }

    /// A `LINK` from `other` arrived over `route`. `false` when this process has ended: the
    /// runtime answers with an exit signal `noproc`. A `LINK` that reaches a link this process is
    /// taking down over the same route is ignored: the peer sent it before it saw the `UNLINK_ID`,
    /// which removes the link on its side, and the ack removes it here.
    mutating func acceptLink(from other: PID, route: SignalRoute) -> Bool {
        guard exitReason == nil else { return false }
        if let link = links[other], link.unlinking != nil, link.route == route { return true }
        links[other] = Link(route: route)
        return true
    }

    /// This process removes its link to `other`. A local link goes at once; a remote one enters
    /// the unlinking state under `id` until the peer's `UNLINK_ID_ACK`. Returns the route (where to
    /// send the unlink), or `nil` when there was no link.
    mutating func unlink(_ other: PID, id: UInt64) -> SignalRoute? {
        guard let link = links[other], link.unlinking == nil else { return nil }
        if link.route.isLocal {
            links[other] = nil
        } else {
            links[other] = Link(route: link.route, unlinking: id)
        }
        return link.route
    }

    /// An `UNLINK_ID` (or, within the node, an unlink) from `other` arrived over `route`: an
    /// active link made there goes. The runtime acknowledges a remote one in any case.
    @discardableResult
    mutating func acceptUnlink(from other: PID, route: SignalRoute) -> Bool {
        guard let link = links[other], link.route == route, link.unlinking == nil else { return false }
        links[other] = nil
        return true
    }

    /// The `UNLINK_ID_ACK` for this process's unlink `id` arrived over `route`: the entry goes,
    /// unless the link was set up again since (then it carries no `unlinking` id, or another).
    @discardableResult
    mutating func acceptUnlinkAck(from other: PID, id: UInt64, route: SignalRoute) -> Bool {
        guard let link = links[other], link.route == route, link.unlinking == id else { return false }
        links[other] = nil
        return true
    }

    /// A link's exit signal from `other` arrived over `route`. `true` when it breaks an active
    /// link made there: the runtime delivers it. `false`: there is no such link (unlinked, being
    /// unlinked, already broken, or made over another connection), and the signal is dropped.
    mutating func acceptLinkedExit(from other: PID, route: SignalRoute) -> Bool {
        guard let link = links[other], link.route == route, link.unlinking == nil else { return false }
        links[other] = nil
        return true
    }

    // MARK: - Monitors held

    /// Records a monitor this process holds. `false` when this process has ended.
    @discardableResult
    mutating func hold(_ reference: Reference, _ monitor: HeldMonitor) -> Bool {
        guard exitReason == nil else { return false }
        monitors[reference] = monitor
        return true
    }

    /// This process drops a monitor it holds; returns it (so the runtime can tell the target's
    /// side), or `nil` when it had fired or never existed.
    mutating func demonitor(_ reference: Reference) -> HeldMonitor? {
        monitors.removeValue(forKey: reference)
    }

    /// A `DOWN` for `reference` arrived over `route`. Returns the monitor when it fires (the
    /// runtime delivers the `DOWN` message), `nil` when the monitor is gone or was made over
    /// another route.
    mutating func acceptDown(_ reference: Reference, route: SignalRoute) -> HeldMonitor? {
        guard monitors[reference]?.route == route else { return nil }
        return monitors.removeValue(forKey: reference)
    }

    /// A spawn reply over `route` named the process a spawn request started: its pending monitor
    /// (if the request asked for one) now targets `pid`, and with `linked` the link is recorded.
    /// Returns whether the request was still pending (`false`: abandoned, undo on the peer).
    mutating func resolveSpawn(_ reference: Reference, pid: PID, linked: Bool, route: SignalRoute) -> Bool {
        guard exitReason == nil, var monitor = monitors[reference], monitor.route == route else { return false }
        monitor.target = pid
        monitors[reference] = monitor
        if linked { links[pid] = Link(route: route) }
        return true
    }

    // MARK: - Monitors held on this process

    /// A monitor on this process. `false` when it has ended: the runtime answers `DOWN` `noproc`.
    mutating func acceptMonitor(_ reference: Reference, by watcher: Watcher) -> Bool {
        guard exitReason == nil else { return false }
        watchers[reference] = watcher
        return true
    }

    /// A demonitor arrived over `route`: forgets the watcher if its monitor was made there.
    @discardableResult
    mutating func acceptDemonitor(_ reference: Reference, route: SignalRoute) -> Bool {
        guard watchers[reference]?.route == route else { return false }
        watchers[reference] = nil
        return true
    }

    // MARK: - Connection loss and the end

    /// The connection behind `route` is gone: each link over it breaks with `noconnection`, each
    /// monitor held over it fires `DOWN` `noconnection`, and monitors held from there are
    /// forgotten. Returns what to put in this process's mailbox.
    mutating func connectionLost(_ route: SignalRoute) -> [Envelope] {
        precondition(!route.isLocal, "a local route is never lost")
        let reason = Term.atom(ExitReasons.noconnection)
        var signals: [Envelope] = []
        for (other, link) in links where link.route == route {
            links[other] = nil
            // A link being taken down breaks silently.
            if link.unlinking == nil { signals.append(.exit(from: other, reason: reason, linked: true)) }
        }
        for (reference, monitor) in monitors where monitor.route == route {
            monitors[reference] = nil
            signals.append(.message(downMessage(reference, monitor.described, reason)))
        }
        watchers = watchers.filter { $0.value.route != route }
        return signals
    }

    /// What a process leaves when it ends: the signals its runtime must send.
    struct Termination: Sendable {
        /// Linked processes, each to get an exit signal with the reason (links being taken down
        /// are left out: the peer has removed them before it could read an exit).
        var links: [(PID, SignalRoute)]
        /// Monitors held on the process, each to get a `DOWN` with the reason.
        var watchers: [(Reference, Watcher)]
        /// Monitors the process held, each to be cancelled on the target's side.
        var monitors: [(Reference, HeldMonitor)]
        /// The name to unregister.
        var registeredName: Atom?
        /// Every connection route the process had something on.
        var routes: Set<SignalRoute>
    }

    /// The process ends with `reason`: everything is taken out, and later links and monitors are
    /// refused. `nil` when it had ended already (a process ends once).
    mutating func terminate(reason: Term) -> Termination? {
        guard exitReason == nil else { return nil }
        exitReason = reason
        let termination = Termination(
            links: links.compactMap { $0.value.unlinking == nil ? ($0.key, $0.value.route) : nil },
            watchers: watchers.map { ($0.key, $0.value) },
            monitors: monitors.map { ($0.key, $0.value) }, registeredName: registeredName,
            routes: routes.filter { !$0.isLocal })
        links = [:]
        watchers = [:]
        monitors = [:]
        return termination
    }
}
