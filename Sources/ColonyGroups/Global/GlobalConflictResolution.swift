import Colony
public import ErlangTerm

/// What happens when two partitions that each registered a name merge (global's resolve method).
/// It runs once, on the node of the process that registered first in the partition whose node
/// has the smaller name, as OTP's does.
public enum GlobalConflictResolution: Sendable {
    /// OTP's default (`global:random_exit_name/3`): keep the process whose node has the smaller
    /// name, kill the other (exit reason `kill`).
    case exitRandom
    /// `global:random_notify_name/3`: keep one as above; the other gets
    /// `{global_name_conflict, Name}` and lives on, unregistered.
    case notifyRandom
    /// `global:notify_all_name/3`: unregister the name; both get `{global_name_conflict, Name,
    /// OtherPid}`.
    case notifyAll
    /// A Swift resolver: returns the process to keep, or `nil` to unregister the name. It is kept
    /// on the node that registered the name; the method other nodes see is OTP's default.
    case custom(@Sendable (_ name: Term, _ first: PID, _ second: PID) async -> PID?)

    /// The method term that travels with the registration.
    var method: Term {
        switch self {
        case .exitRandom, .custom: GlobalProtocol.randomExitName
        case .notifyRandom: GlobalProtocol.randomNotifyName
        case .notifyAll: GlobalProtocol.notifyAllName
        }
    }

    /// The resolution a method term names; OTP's default for any other (a fun local to a module
    /// cannot run here).
    init(method: Term) {
        switch method {
        case GlobalProtocol.randomNotifyName: self = .notifyRandom
        case GlobalProtocol.notifyAllName: self = .notifyAll
        default: self = .exitRandom
        }
    }

    /// `minmax/2`: the process on the node with the smaller name first.
    static func ordered(_ a: PID, _ b: PID) -> (keep: PID, lose: PID) {
        a.node < b.node ? (a, b) : (b, a)
    }

    /// Runs the resolution (`global:resolve_it/4`) in `process`: returns the pid kept, or `nil`
    /// for `none`.
    func resolve(_ name: Term, _ first: PID, _ second: PID, in process: ProcessContext) async -> PID? {
        switch self {
        case .exitRandom:
            let (keep, lose) = Self.ordered(first, second)
            await process.exit(lose, reason: "kill")
            return keep
        case .notifyRandom:
            let (keep, lose) = Self.ordered(first, second)
            await process.send(.tuple(["global_name_conflict", name]), to: lose)
            return keep
        case .notifyAll:
            await process.send(.tuple(["global_name_conflict", name, .pid(second)]), to: first)
            await process.send(.tuple(["global_name_conflict", name, .pid(first)]), to: second)
            return nil
        case .custom(let body):
            return await body(name, first, second)
        }
    }
}
