import ErlangTerm

/// How a child's start closure ended: OTP's `{ok, Pid}`, `ignore` (`{ok, undefined}`) or
/// `{error, Reason}`.
enum ChildStartOutcome: Sendable, Hashable {
    case started(PID)
    case ignored
    case failed(Term)
}

extension ChildSpec {
    /// Runs the start closure in the supervisor's process and classifies what it did.
    func run(on node: Node, supervisor: PID) async -> ChildStartOutcome {
        do {
            return .started(try await start(node, supervisor))
        } catch let error as GenServerStartError {
            switch error {
            case .ignored: return .ignored
            case .stopped(let reason): return .failed(reason)
            case .alreadyStarted(let pid): return .failed(.tuple(["already_started", .pid(pid)]))
            }
        } catch SupervisorError.ignored {
            return .ignored
        } catch {
            return .failed(ProcessExit.reason(for: error))
        }
    }
}
