import ColonyTestSupport
import Testing

@testable import ColonyRaft

/// The binary codec: every message kind round-trips, every truncation and random corruption is
/// refused with an error (never a crash), and forged counts allocate nothing.
@Suite("Raft codec")
struct RaftCodecTests {
    static func randomConfiguration(_ random: inout SplitMix64) -> RaftConfiguration {
        let voters = (0..<random.next(below: 5)).map { RaftServerID("n\($0)@host") }
        let learners = (0..<random.next(below: 3)).map { RaftServerID("l\($0)@host") }
        return RaftConfiguration(voters: Set(voters), learners: Set(learners))
    }

    static func randomEntry(_ random: inout SplitMix64, index: LogIndex) -> LogEntry {
        let payload: LogEntry.Payload =
            switch random.next(below: 3) {
            case 0: .noop
            case 1: .command((0..<random.next(below: 40)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            default: .configuration(randomConfiguration(&random))
            }
        return LogEntry(term: random.next() >> 40, index: index, payload: payload)
    }

    static func randomMessage(_ random: inout SplitMix64) -> RaftMessage {
        let term = random.next() >> 20
        switch random.next(below: 6) {
        case 0:
            return .requestVote(
                VoteRequest(
                    term: term, lastIndex: random.next() >> 3, lastTerm: random.next() >> 3,
                    preVote: random.next() % 2 == 0,
                    transfer: random.next() % 2 == 0))
        case 1:
            return .vote(VoteResponse(term: term, granted: random.next() % 2 == 0, preVote: random.next() % 2 == 0))
        case 2:
            let previous = random.next() >> 8
            let entries = (0..<random.next(below: 6)).map { randomEntry(&random, index: previous + 1 + UInt64($0)) }
            return .appendEntries(
                AppendEntries(
                    term: term, previousIndex: previous, previousTerm: random.next() >> 3, entries: entries,
                    commitIndex: random.next() >> 3, round: random.next()))
        case 3:
            return .appendResult(
                AppendResult(
                    term: term, success: random.next() % 2 == 0, matchIndex: random.next() >> 3,
                    hintIndex: random.next() >> 3,
                    round: random.next()))
        case 4:
            let metadata = SnapshotMetadata(
                index: random.next() >> 3, term: random.next() >> 3, configuration: randomConfiguration(&random))
            let data = (0..<random.next(below: 100)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            return .installSnapshot(
                InstallSnapshot(
                    term: term, snapshot: RaftSnapshot(metadata: metadata, data: data), round: random.next()))
        default:
            return .timeoutNow(term: term)
        }
    }

    @Test("every message kind round-trips, and every strict prefix is refused")
    func roundTrip() throws {
        var random = SplitMix64(seed: 42)
        for _ in 0..<2000 {
            let message = Self.randomMessage(&random)
            let bytes = RaftCodec.encode(message)
            #expect(try RaftCodec.decodeMessage(bytes) == message)
            let cut = random.next(below: bytes.count)
            #expect(throws: RaftCodecError.self) { try RaftCodec.decodeMessage(Array(bytes[..<cut])) }
            #expect(throws: RaftCodecError.self) { try RaftCodec.decodeMessage(bytes + [0]) }
        }
    }

    @Test("entries, snapshot metadata and hard state round-trip")
    func parts() throws {
        var random = SplitMix64(seed: 7)
        for index in 1...500 {
            let entry = Self.randomEntry(&random, index: LogIndex(index))
            #expect(try RaftCodec.decodeEntry(RaftCodec.encode(entry)) == entry)
        }
        let metadata = SnapshotMetadata(index: 9, term: 3, configuration: RaftConfiguration(voters: ["a", "b"]))
        #expect(try RaftCodec.decodeMetadata(RaftCodec.encode(metadata)) == metadata)
        for state in [HardState(), HardState(term: 5, votedFor: "n1@h")] {
            #expect(try RaftCodec.decodeHardState(RaftCodec.encode(state)) == state)
        }
    }

    @Test("random corruption never crashes the decoder")
    func corruption() {
        var random = SplitMix64(seed: 99)
        var refused = 0
        for _ in 0..<20_000 {
            var bytes = RaftCodec.encode(Self.randomMessage(&random))
            for _ in 0...random.next(below: 4) {
                bytes[random.next(below: bytes.count)] = UInt8(truncatingIfNeeded: random.next())
            }
            if (try? RaftCodec.decodeMessage(bytes)) == nil { refused += 1 }
        }
        #expect(refused > 0)
    }

    @Test("a forged entry count or length is refused before allocating")
    func forgedCounts() {
        // Version, appendEntries, five u64 fields, then a count of 2^32-1 entries with no bytes.
        var bytes: [UInt8] = [RaftCodec.version, 3] + [UInt8](repeating: 0, count: 40)
        bytes += [0xFF, 0xFF, 0xFF, 0xFF]
        #expect(throws: RaftCodecError.self) { try RaftCodec.decodeMessage(bytes) }
        // A snapshot whose data claims 4 GiB.
        var snapshot: [UInt8] = [RaftCodec.version, 5] + [UInt8](repeating: 0, count: 32)
        snapshot += [0, 0, 0, 0, 0, 0, 0, 0] + [0xFF, 0xFF, 0xFF, 0xFF]
        #expect(throws: RaftCodecError.self) { try RaftCodec.decodeMessage(snapshot) }
        // A term past 2^62.
        #expect(throws: RaftCodecError.self) {
            try RaftCodec.decodeMessage(RaftCodec.encode(.timeoutNow(term: UInt64.max)))
        }
        // Entries out of sequence.
        let append = RaftMessage.appendEntries(
            AppendEntries(
                term: 1, previousIndex: 4,
                previousTerm: 1, entries: [LogEntry(term: 1, index: 7, payload: .noop)], commitIndex: 0, round: 0))
        #expect(throws: RaftCodecError.self) { try RaftCodec.decodeMessage(RaftCodec.encode(append)) }
    }
}
