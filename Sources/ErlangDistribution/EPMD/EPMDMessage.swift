// The EPMD protocol (erts/doc/guides/erl_dist_protocol.md, "EPMD Protocol"), as Colony speaks it.
//
// Every request is framed by a 2-byte big-endian length and starts with a tag byte:
//
//     ALIVE2_REQ        120 | PortNo:2 | NodeType:1 | Protocol:1 | Highest:2 | Lowest:2
//                           | Nlen:2 | NodeName:Nlen | Elen:2 | Extra:Elen
//     PORT_PLEASE2_REQ  122 | NodeName (the rest of the frame)
//     NAMES_REQ         110
//
// Replies are not framed; each one has its own shape:
//
//     ALIVE2_X_RESP     118 | Result:1 | Creation:4   (EPMD and node both speak version 6)
//     ALIVE2_RESP       121 | Result:1 | Creation:2   (older nodes)
//     PORT2_RESP        119 | Result:1 [| PortNo:2 | NodeType:1 | Protocol:1 | Highest:2 | Lowest:2
//                           | Nlen:2 | NodeName:Nlen | Elen:2 | Extra:Elen]   (the rest only when Result = 0)
//     NAMES_RESP        EPMDPortNo:4 | "name NAME at port PORT\n"*   (ends when EPMD closes the socket)
//
// An ALIVE2 connection stays open for as long as the node is registered: closing it unregisters
// the node. PORT_PLEASE2 and NAMES connections carry one request; EPMD closes them after replying.

/// The tag byte that starts each EPMD message.
public enum EPMDMessageTag: UInt8, Sendable, CaseIterable {
    /// `ALIVE2_REQ`: a node registers its name and distribution port.
    case alive2Request = 120
    /// `ALIVE2_RESP`: the reply to `ALIVE2_REQ` with a 16-bit creation (nodes older than OTP 23).
    case alive2Response = 121
    /// `ALIVE2_X_RESP`: the reply to `ALIVE2_REQ` with a 32-bit creation (OTP 23 and later).
    case alive2ExtendedResponse = 118
    /// `PORT_PLEASE2_REQ`: asks for the distribution port of a node by name.
    case portPlease2Request = 122
    /// `PORT2_RESP`: the reply to `PORT_PLEASE2_REQ`.
    case port2Response = 119
    /// `NAMES_REQ`: asks for every registered name and port.
    case namesRequest = 110
}

/// Limits that OTP's `epmd` applies, which Colony's server applies too.
public enum EPMDLimits {
    /// The most characters a node name may have.
    public static let maximumNameCharacters = 255
    /// The most bytes a node name or the extra field may have (`MAXSYMLEN` in `epmd`).
    public static let maximumFieldBytes = 255 * 4
    /// The most bytes Colony's client accepts in a `NAMES_RESP` before it gives up.
    public static let maximumNamesReplyBytes = 1 << 20
}
