import ErlangTerm

/// The atoms of `gen_server`'s wire format, interned once.
enum GenServerAtoms {
    static let call: Atom = "$gen_call"
    static let cast: Atom = "$gen_cast"
    static let exit: Atom = "EXIT"
    static let down: Atom = "DOWN"
    static let system: Atom = "system"
    static let terminate: Atom = "terminate"
    static let alias: Atom = "alias"
    /// The first message of a new server's process: run `initialize`.
    static let initialize: Atom = "$colony_gen_init"
}
