import ErlangDistribution
import Testing

@Suite("Handshake: distribution flags")
struct DistributionFlagsTests {
    @Test("flag values are OTP's (dist.hrl, dist.h)")
    func valuesMatchOTP() {
        #expect(DistributionFlags.published.rawValue == 0x1)
        #expect(DistributionFlags.distHeaderAtomCache.rawValue == 0x2000)
        #expect(DistributionFlags.utf8Atoms.rawValue == 0x10000)
        #expect(DistributionFlags.fragments.rawValue == 0x80_0000)
        #expect(DistributionFlags.handshake23.rawValue == 0x100_0000)
        #expect(DistributionFlags.unlinkID.rawValue == 0x200_0000)
        #expect(DistributionFlags.mandatory25Digest.rawValue == 0x400_0000)
        #expect(DistributionFlags.spawn.rawValue == 0x1_0000_0000)
        #expect(DistributionFlags.nameMe.rawValue == 0x2_0000_0000)
        #expect(DistributionFlags.v4NodeContainers.rawValue == 0x4_0000_0000)
        #expect(DistributionFlags.alias.rawValue == 0x8_0000_0000)
    }

    @Test("the mandatory sets are OTP's: erts_internal:get_dflags() of OTP 25 reports 17239956")
    func mandatorySets() {
        #expect(DistributionFlags.mandatory25.rawValue == 17_239_956)
        #expect(DistributionFlags.required == DistributionFlags.mandatory25.union([.v4NodeContainers, .unlinkID]))
    }

    @Test("colonyDefault offers what Colony supports and nothing it does not")
    func colonyDefault() {
        let flags = DistributionFlags.colonyDefault
        #expect(flags.isSuperset(of: .required))
        #expect(flags.isSuperset(of: [.mandatory25Digest, .published, .distMonitor, .distMonitorName]))
        #expect(flags.isSuperset(of: [.distHeaderAtomCache, .fragments, .alias, .spawn, .sendSender, .exitPayload]))
        #expect(flags.isDisjoint(with: [.atomCache, .hiddenAtomCache, .nameMe, .unicodeIO, .pendingConnect]))
        #expect(flags.isDisjoint(with: [.localExt, .alternateActivationSignals, .reserved]))
        #expect(DistributionFlags.colonyHidden == flags.subtracting(.published))
    }

    @Test("MANDATORY_25_DIGEST stands for the whole OTP 25 mandatory set")
    func digestExpansion() {
        let peer: DistributionFlags = [.mandatory25Digest, .v4NodeContainers, .unlinkID, .published]
        #expect(DistributionFlags.missing(.required, from: peer).isEmpty)
        #expect(DistributionFlags.missing(.required, from: [.mandatory25Digest]) == DistributionFlags.mandatory26)
        #expect(DistributionFlags.missing(.required, from: []) == .required)
        #expect(DistributionFlags.colonyDefault.negotiated(with: peer).isSuperset(of: .required))
    }

    @Test("negotiated flags are the intersection, the same from both sides")
    func negotiation() {
        let otp25 = DistributionFlags(rawValue: 0xD_07DF_7FBC).union(.published)
        let hidden = DistributionFlags.colonyHidden
        #expect(DistributionFlags.colonyDefault.negotiated(with: otp25) == otp25.negotiated(with: .colonyDefault))
        #expect(DistributionFlags.colonyDefault.negotiated(with: otp25).contains(.published))
        #expect(!hidden.negotiated(with: otp25).contains(.published))
        #expect(!DistributionFlags.colonyDefault.negotiated(with: otp25).contains(.unicodeIO))
    }

    @Test("description names the flags and shows unknown bits in hex")
    func description() {
        #expect(DistributionFlags([.published, .spawn]).description == "[PUBLISHED, SPAWN]")
        #expect(DistributionFlags(rawValue: 1 << 40 | 0x4).description == "[EXTENDED_REFERENCES, 0x10000000000]")
    }
}
