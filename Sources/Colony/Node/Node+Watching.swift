public import ErlangTerm
import NIOCore

extension Node {
    /// Sends `{nodeup, Node, Info}` and `{nodedown, Node, Info}` to the local process `pid` from
    /// now on (`net_kernel:monitor_nodes(true, #{connection_id => true, node_type => all,
    /// nodedown_reason => true})`), or stops when `on` is false. `Info` is a map with
    /// `connection_id` and `node_type` (`visible` or `hidden`), and `nodedown_reason` for a down.
    ///
    /// Unlike ``monitorNodes()``, the events are in the process's own order with what the peer
    /// sends: a `nodeup` comes before anything the new connection carries, a `nodedown` after the
    /// last thing the old one carried, and a replaced connection's `nodedown` before the new
    /// one's `nodeup`. The subscription ends with the process.
    public func watchNodes(_ pid: PID, _ on: Bool = true) {
        guard isLocal(pid) else { return }
        distribution.watchNodes(pid, on)
    }

    /// Puts `message` into a local process's mailbox without suspending (for code that cannot
    /// await, such as a continuation's closure); `false` when the process is gone or not local.
    @discardableResult
    public func post(_ message: Term, to pid: PID) -> Bool {
        deliverIfAlive(message, to: pid)
    }

    /// Puts `message` into a local process's mailbox; `false` when the process is gone.
    func deliverIfAlive(_ message: Term, to pid: PID) -> Bool {
        guard isLocal(pid), let process = processes.lookup(pid), !process.hasExited else { return false }
        process.mailbox.enqueue(.message(message))
        return true
    }

    /// Puts `message` into the local process `pid`'s mailbox after `delay` (`erlang:send_after/3`),
    /// from an event-loop timer; the returned handle cancels it.
    @discardableResult
    public func sendAfter(_ delay: Duration, _ message: Term, to pid: PID) -> ScheduledMessage {
        let nanoseconds = Int64(delay.components.seconds) * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
        let task = eventLoopGroup.any().scheduleTask(in: .nanoseconds(max(0, nanoseconds))) { [weak self] in
            _ = self?.deliverIfAlive(message, to: pid)
        }
        return ScheduledMessage(task: task)
    }
}

/// A message that ``Node/sendAfter(_:_:to:)`` will deliver unless cancelled first.
public struct ScheduledMessage: Sendable {
    let task: Scheduled<Void>

    /// Stops the delivery if it has not happened yet (`erlang:cancel_timer/1`).
    public func cancel() { task.cancel() }
}

extension Node {
    /// Makes `registry` the one that ``ServerRef/global(_:)`` and ``ServerName/global(_:)`` use on
    /// this node (the `global` name server installs itself when it starts; `nil` removes it).
    public func installGlobalRegistry(_ registry: (any ProcessNameRegistry)?) {
        globalRegistry.withLock { $0 = registry }
    }
}
