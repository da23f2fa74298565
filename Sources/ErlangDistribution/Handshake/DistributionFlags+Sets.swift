extension DistributionFlags {
    /// The flags OTP 25 requires of every peer (`MANDATORY_DFLAGS_25` in `dist.hrl`,
    /// `DFLAG_DIST_MANDATORY_25` in `dist.h`). ``mandatory25Digest`` stands for all of them.
    public static let mandatory25: DistributionFlags = [
        .extendedReferences, .funTags, .extendedPidsPorts, .utf8Atoms, .newFunTags, .bigCreation,
        .newFloats, .mapTag, .exportPtrTag, .bitBinaries, .handshake23,
    ]

    /// The flags OTP 26 added to the mandatory set (`DFLAG_DIST_MANDATORY_26`).
    public static let mandatory26: DistributionFlags = [.v4NodeContainers, .unlinkID]

    /// What Colony requires of a peer: everything OTP 26 requires (``mandatory25`` and
    /// ``mandatory26``).
    ///
    /// OTP 25 itself only requires ``mandatory25`` but always offers ``v4NodeContainers`` and
    /// ``unlinkID`` too; Colony needs both, because its term codec writes version 4 pids, ports and
    /// references and its link implementation speaks only the new link protocol. A peer's
    /// ``mandatory25Digest`` bit is expanded before the check, as OTP does.
    public static let required: DistributionFlags = mandatory25.union(mandatory26)

    /// Everything Colony supports and offers as a published (visible) node.
    ///
    /// ``required`` plus ``mandatory25Digest``, ``published``, ``distMonitor``,
    /// ``distMonitorName``, ``distHeaderAtomCache``, ``smallAtomTags``, ``sendSender``,
    /// ``bigSeqtraceLabels``, ``exitPayload``, ``fragments``, ``spawn`` and ``alias``.
    ///
    /// Not offered: the obsolete ``atomCache`` and ``hiddenAtomCache``, ``unicodeIO`` (Colony has
    /// no I/O servers), ``nameMe`` (Colony nodes always have a name), and the internal or newer
    /// bits (``pendingConnect``, ``localExt``, ``alternateActivationSignals``).
    public static let colonyDefault: DistributionFlags = required.union([
        .mandatory25Digest, .published, .distMonitor, .distMonitorName, .distHeaderAtomCache,
        .smallAtomTags, .sendSender, .bigSeqtraceLabels, .exitPayload, .fragments, .spawn, .alias,
    ])

    /// ``colonyDefault`` without ``published``: what a hidden Colony node offers. A connection is
    /// hidden as soon as either side leaves out ``published``.
    public static let colonyHidden: DistributionFlags = colonyDefault.subtracting(.published)

    /// These flags with ``mandatory25`` added when ``mandatory25Digest`` is set, as OTP reads a
    /// peer's flags since OTP 25.
    public func expandingMandatory25Digest() -> DistributionFlags {
        contains(.mandatory25Digest) ? union(.mandatory25) : self
    }

    /// The flags a connection uses: the intersection of this node's flags with the peer's, after
    /// expanding the peer's ``mandatory25Digest`` bit (OTP's `adjust_flags`). Both sides compute
    /// the same set.
    public func negotiated(with peer: DistributionFlags) -> DistributionFlags {
        expandingMandatory25Digest().intersection(peer.expandingMandatory25Digest())
    }

    /// The flags of `required` that the peer's flags lack (after expanding ``mandatory25Digest``);
    /// empty when the peer may connect.
    public static func missing(_ required: DistributionFlags, from peer: DistributionFlags) -> DistributionFlags {
        required.subtracting(peer.expandingMandatory25Digest())
    }
}

extension DistributionFlags: CustomStringConvertible {
    /// The OTP names of the known flags, in bit order, with any unknown bits in hex:
    /// `[PUBLISHED, EXTENDED_REFERENCES, ..., 0x8000000000]`.
    public var description: String {
        var names: [String] = []
        var unknown = rawValue
        for (flag, name) in Self.names where contains(flag) {
            names.append(name)
            unknown &= ~flag.rawValue
        }
        if unknown != 0 { names.append("0x" + String(unknown, radix: 16)) }
        return "[" + names.joined(separator: ", ") + "]"
    }

    /// Every known flag with its OTP name (without `DFLAG_`), in bit order.
    public static let names: [(flag: DistributionFlags, name: String)] = [
        (.published, "PUBLISHED"), (.atomCache, "ATOM_CACHE"), (.extendedReferences, "EXTENDED_REFERENCES"),
        (.distMonitor, "DIST_MONITOR"), (.funTags, "FUN_TAGS"), (.distMonitorName, "DIST_MONITOR_NAME"),
        (.hiddenAtomCache, "HIDDEN_ATOM_CACHE"), (.newFunTags, "NEW_FUN_TAGS"),
        (.extendedPidsPorts, "EXTENDED_PIDS_PORTS"), (.exportPtrTag, "EXPORT_PTR_TAG"),
        (.bitBinaries, "BIT_BINARIES"), (.newFloats, "NEW_FLOATS"), (.unicodeIO, "UNICODE_IO"),
        (.distHeaderAtomCache, "DIST_HDR_ATOM_CACHE"), (.smallAtomTags, "SMALL_ATOM_TAGS"),
        (.utf8Atoms, "UTF8_ATOMS"), (.mapTag, "MAP_TAG"), (.bigCreation, "BIG_CREATION"),
        (.sendSender, "SEND_SENDER"), (.bigSeqtraceLabels, "BIG_SEQTRACE_LABELS"),
        (.pendingConnect, "PENDING_CONNECT"), (.exitPayload, "EXIT_PAYLOAD"), (.fragments, "FRAGMENTS"),
        (.handshake23, "HANDSHAKE_23"), (.unlinkID, "UNLINK_ID"), (.mandatory25Digest, "MANDATORY_25_DIGEST"),
        (.spawn, "SPAWN"), (.nameMe, "NAME_ME"), (.v4NodeContainers, "V4_NC"), (.alias, "ALIAS"),
        (.localExt, "LOCAL_EXT"), (.alternateActivationSignals, "ALTACT_SIG"),
    ]
}
