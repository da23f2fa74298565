public import ErlangTerm

/// A table that maps names (any term) to processes, for `via` naming: OTP's `{via, Module, Name}`.
/// ``Registry`` is one; the cluster-wide name service will be another.
///
/// Lookups are synchronous (a local table), registration may suspend (the registry may have to
/// start watching the process so that its names go when it ends).
public protocol ProcessNameRegistry: Sendable {
    /// Registers `pid` under `name`. Returns `false` when the name is taken.
    func registerName(_ name: Term, pid: PID) async -> Bool
    /// Removes `name`, whatever process holds it.
    func unregisterName(_ name: Term) async
    /// The process registered under `name`, if any.
    func whereisName(_ name: Term) -> PID?
}
