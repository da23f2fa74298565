// Mode 2: distribution frames after the handshake.

import ErlangDistribution
import ErlangTerm
import NIOCore

enum FrameChecks {
    /// How decoded messages are re-encoded, from the selector.
    struct Options {
        /// Bit 2: re-encode with the smallest fragment size (1024 bytes), so that longer messages
        /// come back as fragments.
        var smallFragments: Bool
        /// Bit 3: re-encode for a peer without `DFLAG_FRAGMENTS`.
        var fragmentsAllowed: Bool

        init(selector: UInt8) {
            smallFragments = selector & 0x04 != 0
            fragmentsAllowed = selector & 0x08 == 0
        }
    }

    /// Tight limits, so the fuzzer spends its time on parsing and not on huge allocations.
    static let limits: DistributionInbound.Limits = {
        var limits = DistributionInbound.Limits()
        limits.maximumMessageSize = 1 << 20
        limits.maximumOpenSequences = 4
        limits.terms.maximumDecompressedSize = 1 << 20
        limits.terms.maximumIntegerBytes = 4 << 10
        return limits
    }()

    /// Limits for our own re-encodings, which may be larger than what they came from (a
    /// compressed term is sent uncompressed, a one-byte creation becomes four bytes).
    static let roundTripLimits: DistributionInbound.Limits = {
        var limits = DistributionInbound.Limits()
        limits.maximumMessageSize = 64 << 20
        limits.terms.maximumDecompressedSize = 64 << 20
        limits.terms.maximumIntegerBytes = 4 << 10
        return limits
    }()

    /// Feeds the frames to one inbound, as a connection would (it goes on after an error, which
    /// exercises the state an error leaves). Every message it delivers is written with a fresh
    /// outbound, whose frames a fresh inbound must read back as the same message; the pair
    /// lives for the whole input, so later messages use the atom cache the earlier ones filled.
    static func check(_ frames: [ByteBuffer], options: Options) {
        var inbound = DistributionInbound(limits: limits)
        var outbound = DistributionOutbound(
            fragmentSize: options.smallFragments ? 1024 : 256 * 1024, fragmentsAllowed: options.fragmentsAllowed)
        var mirror = DistributionInbound(limits: roundTripLimits)
        for (index, frame) in frames.enumerated() {
            let event: DistributionInbound.Event
            do {
                event = try inbound.receive(frame: frame)
            } catch {
                _ = error.description
                continue
            }
            switch event {
            case .tick:
                guard frame.readableBytes == 0 else { fail("frame \(index) (\(hex(frame))) decodes as a tick") }
            case .fragment:
                break
            case .message(let control, let payload):
                guard control.hasPayload == (payload != nil) else {
                    fail("frame \(index): \(clip(control)) delivered with payload \(clip(payload as Any))")
                }
                roundTrip(control, payload: payload, outbound: &outbound, mirror: &mirror, index: index)
            }
        }
    }

    static func roundTrip(
        _ control: ControlMessage, payload: Term?, outbound: inout DistributionOutbound,
        mirror: inout DistributionInbound, index: Int
    ) {
        let message = "the message of frame \(index), \(clip(control)) with payload \(clip(payload as Any)),"
        var buffer = ByteBuffer()
        do {
            try outbound.write(control, payload: payload, into: &buffer)
        } catch {
            fail("\(message) does not encode: \(error)")
        }
        let written = buffer
        var events: [DistributionInbound.Event] = []
        while buffer.readableBytes > 0 {
            guard let length = buffer.readInteger(as: UInt32.self), let frame = buffer.readSlice(length: Int(length))
            else {
                fail("\(message) is written as a truncated frame: \(hex(written))")
            }
            do {
                events.append(try mirror.receive(frame: frame))
            } catch {
                fail(
                    "\(message) re-encoded, does not decode (frame \(events.count)): \(error)\n"
                        + "re-encoded: \(hex(written))")
            }
        }
        guard let last = events.last, events.dropLast().allSatisfy({ $0 == .fragment }) else {
            fail("\(message) re-encoded, gives the events \(clip(events))\nre-encoded: \(hex(written))")
        }
        guard last == .message(control, payload: payload) else {
            fail("\(message) re-encoded, decodes to another message: \(clip(last))\nre-encoded: \(hex(written))")
        }
    }
}
