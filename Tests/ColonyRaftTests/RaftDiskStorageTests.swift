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
