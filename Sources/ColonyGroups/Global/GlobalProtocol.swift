public import ErlangTerm

/// The constants of OTP 25's `global` protocol (kernel's `global.erl`, protocol version 8).
public enum GlobalProtocol {
    /// The protocol version this implementation speaks: 8, with the "verify connection"
    /// `init_connect_ack`/`cancel_connect` messages and "prevent overlapping partitions".
    public static let version = 8
    /// The version that introduced `init_connect_ack` and `cancel_connect`.
    static let verifyConnectVersion = 8
    /// The version that introduced `lost_connection`/`remove_connection`.
    static let preventOverlapVersion = 7
    /// The version from which known-node lists carry `{Node, Vsn}` pairs.
    static let propagateVersionsVersion = 7
    /// The registered name of the name server on every node.
    public static let serverName: Atom = "global_name_server"
    /// The resource id of global's own lock (`?GLOBAL_RID`).
    static let globalResource: Term = "global"
    /// `fun global:random_exit_name/3`: OTP's default resolve method.
    public static let randomExitName: Term = .export(
        ExportFun(module: "global", function: "random_exit_name", arity: 3))
    /// `fun global:random_notify_name/3`.
    public static let randomNotifyName: Term = .export(
        ExportFun(module: "global", function: "random_notify_name", arity: 3))
    /// `fun global:notify_all_name/3`.
    public static let notifyAllName: Term = .export(
        ExportFun(module: "global", function: "notify_all_name", arity: 3))

    /// `{'$gen_cast', Message}`.
    static func cast(_ message: Term) -> Term { .tuple(["$gen_cast", message]) }
}
