import Foundation
public import NIOCore

/// Where a node runs its processes' tasks.
public enum ProcessExecution: Sendable {
    /// On a ``ProcessScheduler``'s threads: messages between processes hand over on one thread
    /// without waking another.
    case scheduler(ProcessScheduler)
    /// On Swift's default global executor (libdispatch on Linux): every message to a waiting
    /// process wakes a pool thread.
    case globalExecutor
    /// On one SwiftNIO event loop, the one the node's connections should use too: a remote
    /// message and the process that handles it share a thread, as on a BEAM scheduler that polls
    /// its own sockets.
    case eventLoop(any EventLoop)

    /// ``ProcessScheduler/shared``, or the global executor when the environment variable
    /// `COLONY_SCHEDULER` is `dispatch` (to compare the two in one binary).
    public static var `default`: ProcessExecution {
        ProcessInfo.processInfo.environment["COLONY_SCHEDULER"] == "dispatch" ? .globalExecutor : .scheduler(.shared)
    }

    /// The executor preference for a process's task; `nil` for the global executor.
    var taskExecutor: (any TaskExecutor)? {
        switch self {
        case .scheduler(let scheduler): scheduler
        case .globalExecutor: nil
        case .eventLoop(let loop): EventLoopTaskExecutor(loop)
        }
    }
}
