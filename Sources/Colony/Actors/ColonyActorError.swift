public import ErlangTerm

/// Why a call to a distributed actor failed.
public enum ColonyActorError: Error, Sendable, Equatable {
    /// The actor's method threw; `type` is the error's type name and `description` what it said.
    case remote(type: String, description: String)
    /// The actor's node is down or could not be reached.
    case nodeDown(Atom)
    /// No reply within the timeout.
    case timeout
    /// The actor no longer exists (its process ended), or no actor has that name.
    case actorGone(ColonyActorID)
    /// The actor's process ended with this reason while handling the call.
    case exited(Term)
    /// The call or its reply could not be encoded or decoded.
    case coding(String)
    /// The remote side could not run the call (unknown target, wrong arguments).
    case invocation(String)
}
