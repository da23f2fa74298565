import CZlib
public import ColonyRaft

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A Raft server's stable storage in one directory: an append-only log, the hard state and the
/// latest snapshot.
///
/// - `log`: records of `[length u32][crc32 u32][kind u8][body]`, an entry (kind 1) or a
///   truncation (kind 2: delete entries from an index on). One ``write(_:)`` appends all its
///   records with one `write` and one `fdatasync`, which is the group commit.
/// - `hard-state` and `snapshot`: rewritten whole, through a temporary file, `fsync`, `rename`
///   and an `fsync` of the directory, so each is either the old or the new one after a crash.
///
/// Recovery (``recover()``) reads the snapshot and hard state, then replays the log; a record cut
/// short or failing its checksum ends the log there (a write torn by a crash) and the file is cut
/// back to the last whole record. A bad record that whole records follow, with no zero-filled
/// sector in it, is damage rather than a tear: recovery then fails with
/// ``RaftStorageError/corrupt(_:)`` instead of dropping acknowledged entries. ``compact(snapshot:keeping:)`` stores a snapshot and rewrites
/// the log with only the entries after it.
///
/// Not for concurrent use: one server process owns it, and its calls follow one another.
public final class RaftDiskStorage: @unchecked Sendable {
    /// What a directory held.
    public struct Recovered: Sendable {
        /// The term and vote.
        public var hardState: HardState
        /// The latest snapshot, if any.
        public var snapshot: RaftSnapshot?
        /// The entries after the snapshot, in order.
        public var entries: [LogEntry]
        /// Bytes cut from the end of the log (a torn last write), 0 when the log was whole.
        public var discardedBytes: Int
    }

    /// The directory.
    public let directory: String
    private var logDescriptor: Int32
    /// Whether writes are made durable (`fdatasync`); off only for RAM copies.
    public let synchronous: Bool
    /// Bytes the log file holds.
    public private(set) var logBytes: Int = 0
    /// `fdatasync` calls made (one per ``write(_:)`` that stored anything).
    public private(set) var syncCount = 0

    /// Opens (creating when missing) the storage in `directory`.
    public init(directory: String, synchronous: Bool = true) throws(RaftStorageError) {
        self.directory = directory
        self.synchronous = synchronous
        try Self.makeDirectory(directory)
        logDescriptor = open(directory + "/log", O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard logDescriptor >= 0 else { throw .system("open \(directory)/log", errno) }
        logBytes = Int(lseek(logDescriptor, 0, SEEK_END))
    }

    deinit { close(logDescriptor) }

    // MARK: - Writing

    /// Stores what `ready` asks to store: hard state, snapshot, truncation and entries, durably
    /// before it returns.
    public func write(_ ready: RaftReady) throws(RaftStorageError) {
        if let snapshot = ready.snapshot { try storeSnapshot(snapshot) }
        if let hardState = ready.hardState {
            try replaceFile("hard-state", with: Self.framed(RaftCodec.encode(hardState)))
        }
        var buffer: [UInt8] = []
        if let from = ready.truncateFrom {
            var body: [UInt8] = [2]
            for shift in stride(from: 56, through: 0, by: -8) { body.append(UInt8(truncatingIfNeeded: from >> shift)) }
            buffer += Self.framed(body)
        }
        for entry in ready.entries { buffer += Self.framed([1] + RaftCodec.encode(entry)) }
        guard !buffer.isEmpty else { return }
        try appendToLog(buffer)
    }

    /// Stores `snapshot` and rewrites the log with `entries` (those after the snapshot), for a
    /// snapshot the application took itself (``RaftNode/compact(through:data:)``).
    public func compact(snapshot: RaftSnapshot, keeping entries: [LogEntry]) throws(RaftStorageError) {
        try storeSnapshot(snapshot)
        var buffer: [UInt8] = []
        for entry in entries where entry.index > snapshot.metadata.index {
            buffer += Self.framed([1] + RaftCodec.encode(entry))
        }
        try replaceFile("log", with: buffer)
        close(logDescriptor)
        logDescriptor = open(directory + "/log", O_RDWR | O_APPEND | O_CLOEXEC)
        guard logDescriptor >= 0 else { throw .system("open \(directory)/log", errno) }
        logBytes = buffer.count
    }

    private func storeSnapshot(_ snapshot: RaftSnapshot) throws(RaftStorageError) {
        let metadata = RaftCodec.encode(snapshot.metadata)
        var body: [UInt8] = []
        body.reserveCapacity(8 + metadata.count + snapshot.data.count)
        Self.appendU32(UInt32(metadata.count), to: &body)
        body += metadata
        body += snapshot.data
        try replaceFile("snapshot", with: Self.framed(body))
    }

    private func appendToLog(_ buffer: [UInt8]) throws(RaftStorageError) {
        try Self.writeAll(logDescriptor, buffer, what: "log")
        logBytes += buffer.count
        if synchronous {
            guard fdatasync(logDescriptor) == 0 else { throw .system("fdatasync \(directory)/log", errno) }
            syncCount += 1
        }
    }

    /// Writes `name` whole: a temporary file, synced, renamed over the old one, then the directory
    /// synced so the rename itself survives a crash.
    private func replaceFile(_ name: String, with bytes: [UInt8]) throws(RaftStorageError) {
        let path = directory + "/" + name
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .system("open \(temporary)", errno) }
        defer { close(descriptor) }
        try Self.writeAll(descriptor, bytes, what: temporary)
        if synchronous, fsync(descriptor) != 0 { throw .system("fsync \(temporary)", errno) }
        guard rename(temporary, path) == 0 else { throw .system("rename \(temporary)", errno) }
        if synchronous { try syncDirectory() }
    }

    private func syncDirectory() throws(RaftStorageError) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .system("open \(directory)", errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .system("fsync \(directory)", errno) }
    }

    // MARK: - Recovery

    /// Reads back what the directory holds; see the type's description.
    public func recover() throws(RaftStorageError) -> Recovered {
        var hardState = HardState()
        if let bytes = try Self.readFile(directory + "/hard-state") {
            guard let body = Self.unframed(bytes), let state = try? RaftCodec.decodeHardState(body) else {
                throw .corrupt("\(directory)/hard-state")
            }
            hardState = state
        }
        var snapshot: RaftSnapshot?
        if let bytes = try Self.readFile(directory + "/snapshot") {
            guard let body = Self.unframed(bytes), body.count >= 4 else { throw .corrupt("\(directory)/snapshot") }
            let length = Int(body[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            guard length <= body.count - 4,
                let metadata = try? RaftCodec.decodeMetadata(Array(body[4..<4 + length]))
            else { throw .corrupt("\(directory)/snapshot") }
            snapshot = RaftSnapshot(metadata: metadata, data: Array(body[(4 + length)...]))
        }
        let log = try Self.readFile(directory + "/log") ?? []
        var entries: [LogEntry] = []
        var offset = 0
        while let (body, next) = Self.record(in: log, at: offset) {
            switch body.first {
            case 1:
                guard let entry = try? RaftCodec.decodeEntry(Array(body.dropFirst())) else { break }
                if let last = entries.last, entry.index != last.index + 1 {
                    // A new run after a truncation, or the first entries after a snapshot.
                    entries.removeAll { $0.index >= entry.index }
                    if let last = entries.last, entry.index != last.index + 1 { entries = [] }
                }
                entries.append(entry)
            case 2 where body.count == 9:
                let from = body[1...].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                entries.removeAll { $0.index >= from }
            default:
                break
            }
            offset = next
        }
        if let damage = Self.damage(in: log, at: offset) {
            throw .corrupt("\(directory)/log: \(damage)")
        }
        let discarded = log.count - offset
        if discarded > 0 {
            guard ftruncate(logDescriptor, off_t(offset)) == 0 else {
                throw .system("ftruncate \(directory)/log", errno)
            }
            logBytes = offset
        }
        let snapshotIndex = snapshot?.metadata.index ?? 0
        if let snapshot, let atSnapshot = entries.first(where: { $0.index == snapshot.metadata.index }),
            atSnapshot.term != snapshot.metadata.term
        {
            // A leader's snapshot replaced a log that did not match it, and the crash came before
            // the log's truncation was stored: none of that log belongs after the snapshot.
            entries = []
        }
        entries.removeAll { $0.index <= snapshotIndex }
        for (earlier, later) in zip(entries, entries.dropFirst()) where later.term < earlier.term {
            throw .corrupt("\(directory)/log: entry \(later.index) has a lower term than entry \(earlier.index)")
        }
        if let first = entries.first, first.index != snapshotIndex + 1 { entries = [] }
        return Recovered(hardState: hardState, snapshot: snapshot, entries: entries, discardedBytes: discarded)
    }

    /// Why the log cannot be trusted when its record at `offset` is bad but is not a write torn
    /// by a crash; `nil` when it may be torn (then the log is cut there).
    ///
    /// A crash can tear only the last, unsynced write, and what it leaves of it is either cut short
    /// or, where a page never reached the disk, zeros. So a record that fails its checksum is
    /// damage, not a tear, when whole records follow it to the end of the file and none of its
    /// 512-byte sectors is all zeros: cutting the log there would silently drop entries this
    /// member acknowledged.
    static func damage(in log: [UInt8], at offset: Int) -> String? {
        guard log.count - offset >= 8 else { return nil }
        let length = Int(log[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        guard length <= log.count - offset - 8 else { return nil }
        let next = offset + 8 + length
        var position = next
        var following = 0
        while position < log.count {
            // An empty record is never written: zeros parse as one, and count as a tear.
            guard let (body, after) = record(in: log, at: position), !body.isEmpty else { return nil }
            following += 1
            position = after
        }
        guard following > 0 else { return nil }
        var sector = (offset + 511) / 512 * 512
        while sector + 512 <= next {
            if log[sector..<sector + 512].allSatisfy({ $0 == 0 }) { return nil }
            sector += 512
        }
        return "the record at byte \(offset) fails its checksum, yet \(following) whole records follow it: the log "
            + "is damaged, not torn by a crash, and cutting it would drop acknowledged entries; remove this "
            + "member's directory and add it to its group again"
    }

    // MARK: - Framing

    static func framed(_ body: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(body.count + 8)
        appendU32(UInt32(body.count), to: &bytes)
        appendU32(checksum(body), to: &bytes)
        return bytes + body
    }

    /// The body of the one framed record `bytes` holds, or `nil` if it is not whole and valid.
    static func unframed(_ bytes: [UInt8]) -> [UInt8]? {
        guard let (body, next) = record(in: bytes, at: 0), next == bytes.count else { return nil }
        return body
    }

    /// The record at `offset` and where the next one starts, or `nil` if it is cut short or its
    /// checksum fails.
    static func record(in bytes: [UInt8], at offset: Int) -> ([UInt8], Int)? {
        guard bytes.count - offset >= 8 else { return nil }
        let length = Int(bytes[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        let sum = bytes[offset + 4..<offset + 8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard length <= bytes.count - offset - 8 else { return nil }
        let body = Array(bytes[offset + 8..<offset + 8 + length])
        guard checksum(body) == sum else { return nil }
        return (body, offset + 8 + length)
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(truncatingIfNeeded: crc32(0, buffer.baseAddress, uInt(buffer.count)))
        }
    }

    static func appendU32(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    // MARK: - Files

    static func makeDirectory(_ path: String) throws(RaftStorageError) {
        var built = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            built += "/" + component
            if mkdir(built, 0o755) != 0, errno != EEXIST { throw .system("mkdir \(built)", errno) }
        }
    }

    static func readFile(_ path: String) throws(RaftStorageError) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw .system("open \(path)", errno)
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .system("read \(path)", errno)
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }

    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], what: String) throws(RaftStorageError) {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw .system("write \(what)", errno)
            }
            written += count
        }
    }
}

/// Why stable storage failed. A server that cannot store must stop: it may not answer anyone.
public enum RaftStorageError: Error, Sendable, CustomStringConvertible {
    /// A system call failed with `errno`.
    case system(String, Int32)
    /// A file that is written whole (hard state, snapshot) does not decode.
    case corrupt(String)

    public var description: String {
        switch self {
        case .system(let call, let code): "\(call): \(String(cString: strerror(code)))"
        case .corrupt(let path): "\(path) is corrupt"
        }
    }
}
