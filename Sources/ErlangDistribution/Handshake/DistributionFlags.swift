/// The capability flags two nodes exchange in the distribution handshake (`DFLAG_*`).
///
/// Each node announces the flags it supports in its `send_name` or challenge message; the
/// connection then uses the intersection (see ``negotiated(with:)``). The values are those of
/// `erts/emulator/beam/dist.h` and the "Distribution Flags" table of `erl_dist_protocol.md`.
///
/// The flags that only exist in 64-bit form (bit 32 and above) travel in the version 6 messages;
/// the old version 5 `send_name` carries the low 32 bits and a later complement message the rest.
public struct DistributionFlags: OptionSet, Sendable, Hashable {
    /// The flags as the 64-bit big-endian word sent on the wire.
    public let rawValue: UInt64

    /// Flags from their wire value. Unknown bits are kept, so a peer's flags re-encode unchanged.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// `DFLAG_PUBLISHED` (0x1): the node is published, part of the global namespace (not hidden).
    /// Only when both sides set it is the connection visible in `nodes()`.
    public static let published = DistributionFlags(rawValue: 0x1)
    /// `DFLAG_ATOM_CACHE` (0x2): the obsolete pre-R13 atom cache; no longer used on the wire.
    public static let atomCache = DistributionFlags(rawValue: 0x2)
    /// `DFLAG_EXTENDED_REFERENCES` (0x4): references of 3 × 32 bits. Mandatory since R9.
    public static let extendedReferences = DistributionFlags(rawValue: 0x4)
    /// `DFLAG_DIST_MONITOR` (0x8): the node implements distributed process monitors
    /// (`MONITOR_P`, `DEMONITOR_P`, `MONITOR_P_EXIT`).
    public static let distMonitor = DistributionFlags(rawValue: 0x8)
    /// `DFLAG_FUN_TAGS` (0x10): funs travel with their own tags. Mandatory.
    public static let funTags = DistributionFlags(rawValue: 0x10)
    /// `DFLAG_DIST_MONITOR_NAME` (0x20): the node implements monitors of registered names on other
    /// nodes.
    public static let distMonitorName = DistributionFlags(rawValue: 0x20)
    /// `DFLAG_HIDDEN_ATOM_CACHE` (0x40): the obsolete atom cache of hidden nodes.
    public static let hiddenAtomCache = DistributionFlags(rawValue: 0x40)
    /// `DFLAG_NEW_FUN_TAGS` (0x80): the node understands `NEW_FUN_EXT`. Mandatory.
    public static let newFunTags = DistributionFlags(rawValue: 0x80)
    /// `DFLAG_EXTENDED_PIDS_PORTS` (0x100): the node handles extended pids and ports. Mandatory.
    public static let extendedPidsPorts = DistributionFlags(rawValue: 0x100)
    /// `DFLAG_EXPORT_PTR_TAG` (0x200): the node understands `EXPORT_EXT`. Mandatory.
    public static let exportPtrTag = DistributionFlags(rawValue: 0x200)
    /// `DFLAG_BIT_BINARIES` (0x400): the node understands `BIT_BINARY_EXT`. Mandatory.
    public static let bitBinaries = DistributionFlags(rawValue: 0x400)
    /// `DFLAG_NEW_FLOATS` (0x800): the node understands `NEW_FLOAT_EXT`. Mandatory.
    public static let newFloats = DistributionFlags(rawValue: 0x800)
    /// `DFLAG_UNICODE_IO` (0x1000): the node handles Unicode in the I/O protocol (io servers and
    /// group leaders).
    public static let unicodeIO = DistributionFlags(rawValue: 0x1000)
    /// `DFLAG_DIST_HDR_ATOM_CACHE` (0x2000): messages carry the distribution header with its atom
    /// cache (`131, 68, ...`) instead of the old pass-through byte 112.
    public static let distHeaderAtomCache = DistributionFlags(rawValue: 0x2000)
    /// `DFLAG_SMALL_ATOM_TAGS` (0x4000): the node understands `SMALL_ATOM_EXT`.
    public static let smallAtomTags = DistributionFlags(rawValue: 0x4000)
    /// `DFLAG_UTF8_ATOMS` (0x10000): the node understands `ATOM_UTF8_EXT` and
    /// `SMALL_ATOM_UTF8_EXT`. Mandatory.
    public static let utf8Atoms = DistributionFlags(rawValue: 0x1_0000)
    /// `DFLAG_MAP_TAG` (0x20000): the node understands `MAP_EXT`. Mandatory.
    public static let mapTag = DistributionFlags(rawValue: 0x2_0000)
    /// `DFLAG_BIG_CREATION` (0x40000): 32-bit creations in `NEW_PID_EXT`, `NEW_PORT_EXT` and
    /// `NEWER_REFERENCE_EXT`. Mandatory.
    public static let bigCreation = DistributionFlags(rawValue: 0x4_0000)
    /// `DFLAG_SEND_SENDER` (0x80000): use `SEND_SENDER` / `SEND_SENDER_TT` instead of `SEND` /
    /// `SEND_TT`.
    public static let sendSender = DistributionFlags(rawValue: 0x8_0000)
    /// `DFLAG_BIG_SEQTRACE_LABELS` (0x100000): any term may be a sequential-trace label.
    public static let bigSeqtraceLabels = DistributionFlags(rawValue: 0x10_0000)
    /// `DFLAG_PENDING_CONNECT` (0x200000): internal to the OTP runtime, never sent by a node.
    public static let pendingConnect = DistributionFlags(rawValue: 0x20_0000)
    /// `DFLAG_EXIT_PAYLOAD` (0x400000): exit reasons travel as payload after the `PAYLOAD_EXIT*`
    /// and `PAYLOAD_MONITOR_P_EXIT` control messages.
    public static let exitPayload = DistributionFlags(rawValue: 0x40_0000)
    /// `DFLAG_FRAGMENTS` (0x800000): large messages may be split into fragments.
    public static let fragments = DistributionFlags(rawValue: 0x80_0000)
    /// `DFLAG_HANDSHAKE_23` (0x1000000): the node speaks the version 6 handshake of OTP 23.
    /// Mandatory since OTP 25.
    public static let handshake23 = DistributionFlags(rawValue: 0x100_0000)
    /// `DFLAG_UNLINK_ID` (0x2000000): the new link protocol (`UNLINK_ID`, `UNLINK_ID_ACK`).
    /// Mandatory since OTP 26.
    public static let unlinkID = DistributionFlags(rawValue: 0x200_0000)
    /// `DFLAG_MANDATORY_25_DIGEST` (0x4000000): a shorthand for every flag in ``mandatory25``.
    ///
    /// Since OTP 25 a peer that sets this bit is treated as setting all of them (see
    /// ``expandingMandatory25Digest()``). Bit 26 is the value in OTP's `dist.h` and `dist.hrl`;
    /// some versions of `erl_dist_protocol.md` print `1 bsl 36`, which no OTP release uses.
    public static let mandatory25Digest = DistributionFlags(rawValue: 0x400_0000)
    /// `DFLAG_RESERVED` (0xf8000000): the low bits OTP keeps for future handshake changes.
    public static let reserved = DistributionFlags(rawValue: 0xF800_0000)
    /// `DFLAG_SPAWN` (bit 32): the node handles `SPAWN_REQUEST` and `SPAWN_REPLY` (and their
    /// `_TT` forms).
    public static let spawn = DistributionFlags(rawValue: 1 << 32)
    /// `DFLAG_NAME_ME` (bit 33): not a capability but a request from the connecting node to be
    /// given a dynamic name by the accepting node; `send_name` then carries only the host name.
    public static let nameMe = DistributionFlags(rawValue: 1 << 33)
    /// `DFLAG_V4_NC` (bit 34): full 32-bit pid ids and serials, 64-bit port ids (`V4_PORT_EXT`) and
    /// references of up to 5 words. Mandatory since OTP 26.
    public static let v4NodeContainers = DistributionFlags(rawValue: 1 << 34)
    /// `DFLAG_ALIAS` (bit 35): the node handles process aliases (`ALIAS_SEND`, `ALIAS_SEND_TT`).
    public static let alias = DistributionFlags(rawValue: 1 << 35)
    /// `DFLAG_LOCAL_EXT` (bit 36): internal to the OTP runtime (`LOCAL_EXT` in
    /// `term_to_binary`), never sent by a node.
    public static let localExt = DistributionFlags(rawValue: 1 << 36)
    /// `DFLAG_ALTACT_SIG` (bit 37): the alternate-activation signals newer OTP releases (28 and
    /// later) use for priority messages. Colony does not implement them and never sets this flag.
    public static let alternateActivationSignals = DistributionFlags(rawValue: 1 << 37)
}
