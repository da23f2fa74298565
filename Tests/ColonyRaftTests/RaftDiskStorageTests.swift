import ColonyTestSupport
import Foundation
import Testing

@testable import ColonyRaft
@testable import ColonyStore

/// The stored log: what is written comes back, a torn last write is cut off, compaction keeps only
/// what follows the snapshot.
@Suite("Raft disk storage")
struct RaftDiskStorageTests {
    static func directory() -> String {
        NSTemporaryDirectory() + "colony-raft-\(UUID().uuidString)"
    }

    static func ready(
        hardState: HardState? = nil, snapshot: RaftSnapshot? = nil, truncateFrom: LogIndex? = nil,
        entries: [LogEntry] = []
    ) -> RaftReady {
        RaftReady(
            hardState: hardState, snapshot: snapshot, truncateFrom: truncateFrom, entries: entries, messages: [],
            committed: [], reads: [], events: [], stableThrough: entries.last?.index ?? 0)
    }

    static func commands(_ range: ClosedRange<Int>, term: RaftTerm) -> [LogEntry] {
        range.map { LogEntry(term: term, index: LogIndex($0), payload: .command(Array("v\($0)".utf8))) }
    }

    @Test("entries, truncations and the hard state come back after reopening")
    func roundTrip() throws {
        let path = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let storage = try RaftDiskStorage(directory: path)
            try storage.write(
                Self.ready(hardState: HardState(term: 1, votedFor: "a"), entries: Self.commands(1...10, term: 1)))
            // A new leader's log replaces 8... with entries of term 2.
            try storage.write(
                Self.ready(hardState: HardState(term: 2), truncateFrom: 8, entries: Self.commands(8...12, term: 2)))
            #expect(storage.syncCount == 2)
        }
        let recovered = try RaftDiskStorage(directory: path).recover()
        #expect(recovered.hardState == HardState(term: 2))
        #expect(recovered.entries == Self.commands(1...7, term: 1) + Self.commands(8...12, term: 2))
        #expect(recovered.discardedBytes == 0)
    }

    @Test("a write torn by a crash is cut off at the last whole record", arguments: [1, 5, 9, 20])
    func tornWrite(cut: Int) throws {
        let path = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let size: Int
        do {
            let storage = try RaftDiskStorage(directory: path)
            try storage.write(Self.ready(entries: Self.commands(1...5, term: 1)))
            size = storage.logBytes
            try storage.write(Self.ready(entries: Self.commands(6...6, term: 1)))
        }
        // Only part of the last record reached the disk.
        let handle = try #require(FileHandle(forWritingAtPath: path + "/log"))
        try handle.truncate(atOffset: UInt64(size + cut))
        try handle.close()
        let storage = try RaftDiskStorage(directory: path)
        let recovered = try storage.recover()
        #expect(recovered.entries == Self.commands(1...5, term: 1))
        #expect(recovered.discardedBytes == cut)
        // The file is whole again, and appends after it come back.
        try storage.write(Self.ready(entries: Self.commands(6...7, term: 2)))
        let again = try RaftDiskStorage(directory: path).recover()
        #expect(again.entries == Self.commands(1...5, term: 1) + Self.commands(6...7, term: 2))
    }

    @Test("a flipped byte in the last record ends the log there")
    func corruptTail() throws {
        let path = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let storage = try RaftDiskStorage(directory: path)
            try storage.write(Self.ready(entries: Self.commands(1...3, term: 1)))
        }
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path + "/log")))
        bytes[bytes.count - 1] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path + "/log"))
        let recovered = try RaftDiskStorage(directory: path).recover()
        #expect(recovered.entries == Self.commands(1...2, term: 1))
    }

    @Test("a flipped byte in a record that whole records follow is damage: recovery fails, nothing is cut")
    func damagedMiddle() throws {
        let path = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let firstRecord: Int
        do {
            let storage = try RaftDiskStorage(directory: path)
            try storage.write(Self.ready(entries: Self.commands(1...1, term: 1)))
            firstRecord = storage.logBytes
            try storage.write(Self.ready(entries: Self.commands(2...5, term: 1)))
        }
        let url = URL(fileURLWithPath: path + "/log")
        var bytes = try [UInt8](Data(contentsOf: url))
        let size = bytes.count
        bytes[firstRecord + 10] ^= 0x01  // inside entry 2's body
        try Data(bytes).write(to: url)
        #expect(throws: RaftStorageError.self) { _ = try RaftDiskStorage(directory: path).recover() }
        #expect(try Data(contentsOf: url).count == size, "the damaged log is left as it was")
    }

    @Test("a last write whose middle page never reached the disk (zeros) is a tear: the log is cut before it")
    func lostPage() throws {
        let path = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let synced: Int
        do {
            let storage = try RaftDiskStorage(directory: path)
            try storage.write(Self.ready(entries: Self.commands(1...3, term: 1)))
            synced = storage.logBytes
            // One write of records large enough to span several pages.
            let large = (4...40).map {
                LogEntry(term: 1, index: LogIndex($0), payload: .command(Array(repeating: UInt8($0), count: 700)))
            }
            try storage.write(Self.ready(entries: large))
        }
        let url = URL(fileURLWithPath: path + "/log")
        var bytes = try [UInt8](Data(contentsOf: url))
        // The second page of the last write is lost; the pages after it are there.
        let page = (synced + 4096) / 4096 * 4096
        try #require(page + 8192 < bytes.count)
        for index in page..<page + 4096 { bytes[index] = 0 }
        try Data(bytes).write(to: url)
        let recovered = try RaftDiskStorage(directory: path).recover()
        #expect(recovered.entries.prefix(3) == Self.commands(1...3, term: 1)[...])
        #expect(recovered.entries.count < 40 && recovered.discardedBytes > 0)
        #expect(recovered.entries.map(\.index) == (1...LogIndex(recovered.entries.count)).map { $0 })
    }

    @Test("compaction keeps the snapshot and only the entries after it; a received snapshot replaces the log")
    func snapshots() throws {
        let path = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = RaftConfiguration(voters: ["a", "b", "c"])
        let snapshot = RaftSnapshot(
            metadata: SnapshotMetadata(index: 6, term: 1, configuration: configuration), data: Array("state".utf8))
        do {
            let storage = try RaftDiskStorage(directory: path)
            try storage.write(Self.ready(entries: Self.commands(1...9, term: 1)))
            try storage.compact(snapshot: snapshot, keeping: Self.commands(5...9, term: 1))
            try storage.write(Self.ready(entries: Self.commands(10...11, term: 1)))
        }
        var recovered = try RaftDiskStorage(directory: path).recover()
        #expect(recovered.snapshot == snapshot)
        #expect(recovered.entries == Self.commands(7...11, term: 1))

        // A leader's snapshot that does not match: the log is dropped, then the leader's entries.
        let received = RaftSnapshot(
            metadata: SnapshotMetadata(index: 20, term: 3, configuration: configuration), data: Array("later".utf8))
        do {
            let storage = try RaftDiskStorage(directory: path)
            _ = try storage.recover()
            try storage.write(Self.ready(snapshot: received, truncateFrom: 7))
            try storage.write(Self.ready(entries: Self.commands(21...22, term: 3)))
        }
        recovered = try RaftDiskStorage(directory: path).recover()
        #expect(recovered.snapshot == received)
        #expect(recovered.entries == Self.commands(21...22, term: 3))
    }
}
