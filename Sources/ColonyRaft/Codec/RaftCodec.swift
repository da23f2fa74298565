/// The binary form of Raft's messages, log entries and hard state, used on the wire (inside an
/// Erlang binary) and in the stored log. Integers are big-endian; every length is checked
/// against the input before anything is allocated, and a malformed input throws.
public enum RaftCodec {
    /// The format's version, the first byte of every message.
    public static let version: UInt8 = 1
    /// Longest server name accepted.
    public static let maxServerNameBytes = 1024

    // MARK: - Messages

    /// The bytes of `message`.
    public static func encode(_ message: RaftMessage) -> [UInt8] {
        var writer = ByteWriter()
        writer.u8(version)
        switch message {
        case .requestVote(let request):
            writer.u8(1)
            writer.u64(request.term)
            writer.u64(request.lastIndex)
            writer.u64(request.lastTerm)
            writer.bool(request.preVote)
            writer.bool(request.transfer)
        case .vote(let response):
            writer.u8(2)
            writer.u64(response.term)
            writer.bool(response.granted)
            writer.bool(response.preVote)
        case .appendEntries(let append):
            writer.u8(3)
            writer.u64(append.term)
            writer.u64(append.previousIndex)
            writer.u64(append.previousTerm)
            writer.u64(append.commitIndex)
            writer.u64(append.round)
            writer.u32(UInt32(append.entries.count))
            for entry in append.entries { write(entry, to: &writer) }
        case .appendResult(let result):
            writer.u8(4)
            writer.u64(result.term)
            writer.bool(result.success)
            writer.u64(result.matchIndex)
            writer.u64(result.hintIndex)
            writer.u64(result.round)
        case .installSnapshot(let install):
            writer.u8(5)
            writer.u64(install.term)
            writer.u64(install.round)
            write(install.snapshot.metadata, to: &writer)
            writer.blob(install.snapshot.data)
        case .timeoutNow(let term):
            writer.u8(6)
            writer.u64(term)
        }
        return writer.bytes
    }

    /// The message in `bytes`.
    public static func decodeMessage(_ bytes: [UInt8]) throws(RaftCodecError) -> RaftMessage {
        var reader = ByteReader(bytes)
        let format = try reader.u8()
        guard format == version else { throw .invalid("format version \(format)") }
        let message: RaftMessage
        switch try reader.u8() {
        case 1:
            message = .requestVote(
                VoteRequest(
                    term: try reader.position(), lastIndex: try reader.position(), lastTerm: try reader.position(),
                    preVote: try reader.bool(), transfer: try reader.bool()))
        case 2:
            message = .vote(
                VoteResponse(term: try reader.position(), granted: try reader.bool(), preVote: try reader.bool()))
        case 3:
            let term = try reader.position()
            let previousIndex = try reader.position()
            let previousTerm = try reader.position()
            let commitIndex = try reader.position()
            let round = try reader.u64()
            let count = try reader.count(minimumSize: 17)
            var entries: [LogEntry] = []
            entries.reserveCapacity(count)
            for position in 0..<count {
                let entry = try readEntry(&reader)
                guard entry.index == previousIndex + UInt64(position) + 1 else {
                    throw .invalid("entry \(entry.index) out of sequence after \(previousIndex)")
                }
                entries.append(entry)
            }
            message = .appendEntries(
                AppendEntries(
                    term: term, previousIndex: previousIndex, previousTerm: previousTerm, entries: entries,
                    commitIndex: commitIndex, round: round))
        case 4:
            message = .appendResult(
                AppendResult(
                    term: try reader.position(), success: try reader.bool(), matchIndex: try reader.position(),
                    hintIndex: try reader.position(), round: try reader.u64()))
        case 5:
            let term = try reader.position()
            let round = try reader.u64()
            let metadata = try readMetadata(&reader)
            let data = try reader.blob()
            message = .installSnapshot(
                InstallSnapshot(term: term, snapshot: RaftSnapshot(metadata: metadata, data: data), round: round))
        case 6:
            message = .timeoutNow(term: try reader.position())
        case let kind:
            throw .invalid("message kind \(kind)")
        }
        guard reader.remaining == 0 else { throw .invalid("\(reader.remaining) bytes after the message") }
        return message
    }

    // MARK: - Entries, metadata, hard state

    /// The bytes of `entry`.
    public static func encode(_ entry: LogEntry) -> [UInt8] {
        var writer = ByteWriter()
        write(entry, to: &writer)
        return writer.bytes
    }

    /// The entry in `bytes`.
    public static func decodeEntry(_ bytes: [UInt8]) throws(RaftCodecError) -> LogEntry {
        var reader = ByteReader(bytes)
        let entry = try readEntry(&reader)
        guard reader.remaining == 0 else { throw .invalid("\(reader.remaining) bytes after the entry") }
        return entry
    }

    /// The bytes of a snapshot's `metadata`.
    public static func encode(_ metadata: SnapshotMetadata) -> [UInt8] {
        var writer = ByteWriter()
        write(metadata, to: &writer)
        return writer.bytes
    }

    /// The snapshot metadata in `bytes`.
    public static func decodeMetadata(_ bytes: [UInt8]) throws(RaftCodecError) -> SnapshotMetadata {
        var reader = ByteReader(bytes)
        let metadata = try readMetadata(&reader)
        guard reader.remaining == 0 else { throw .invalid("\(reader.remaining) bytes after the metadata") }
        return metadata
    }

    /// The bytes of `hardState`.
    public static func encode(_ hardState: HardState) -> [UInt8] {
        var writer = ByteWriter()
        writer.u64(hardState.term)
        writer.optionalServer(hardState.votedFor)
        return writer.bytes
    }

    /// The hard state in `bytes`.
    public static func decodeHardState(_ bytes: [UInt8]) throws(RaftCodecError) -> HardState {
        var reader = ByteReader(bytes)
        let state = HardState(term: try reader.u64(), votedFor: try reader.optionalServer())
        guard reader.remaining == 0 else { throw .invalid("\(reader.remaining) bytes after the hard state") }
        return state
    }

    // MARK: - Parts

    static func write(_ entry: LogEntry, to writer: inout ByteWriter) {
        writer.u64(entry.term)
        writer.u64(entry.index)
        switch entry.payload {
        case .noop:
            writer.u8(0)
        case .command(let bytes):
            writer.u8(1)
            writer.blob(bytes)
        case .configuration(let configuration):
            writer.u8(2)
            write(configuration, to: &writer)
        }
    }

    static func readEntry(_ reader: inout ByteReader) throws(RaftCodecError) -> LogEntry {
        let term = try reader.position()
        let index = try reader.position()
        guard index > 0 else { throw .invalid("entry index 0") }
        let payload: LogEntry.Payload
        switch try reader.u8() {
        case 0: payload = .noop
        case 1: payload = .command(try reader.blob())
        case 2: payload = .configuration(try readConfiguration(&reader))
        case let kind: throw .invalid("entry kind \(kind)")
        }
        return LogEntry(term: term, index: index, payload: payload)
    }

    static func write(_ configuration: RaftConfiguration, to writer: inout ByteWriter) {
        writer.u32(UInt32(configuration.voters.count))
        for voter in configuration.voters.sorted() { writer.server(voter) }
        writer.u32(UInt32(configuration.learners.count))
        for learner in configuration.learners.sorted() { writer.server(learner) }
    }

    static func readConfiguration(_ reader: inout ByteReader) throws(RaftCodecError) -> RaftConfiguration {
        var voters: Set<RaftServerID> = []
        for _ in 0..<(try reader.count(minimumSize: 4)) { voters.insert(try reader.server()) }
        var learners: Set<RaftServerID> = []
        for _ in 0..<(try reader.count(minimumSize: 4)) { learners.insert(try reader.server()) }
        guard voters.isDisjoint(with: learners) else { throw .invalid("a server both voter and learner") }
        return RaftConfiguration(voters: voters, learners: learners)
    }

    static func write(_ metadata: SnapshotMetadata, to writer: inout ByteWriter) {
        writer.u64(metadata.index)
        writer.u64(metadata.term)
        write(metadata.configuration, to: &writer)
    }

    static func readMetadata(_ reader: inout ByteReader) throws(RaftCodecError) -> SnapshotMetadata {
        SnapshotMetadata(
            index: try reader.position(), term: try reader.position(), configuration: try readConfiguration(&reader))
    }
}
