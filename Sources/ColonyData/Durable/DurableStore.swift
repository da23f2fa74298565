import ErlangTerm
import Foundation
import GRDB

/// The SQLite database of a replicator's durable keys: one row per key, with its type's wire name
/// and its full state in the external term format (the form its deltas travel in), or a
/// tombstone for a deleted key.
final class DurableStore: Sendable {
    private let database: DatabaseQueue

    /// Opens (or creates) the database at `path`.
    init(path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.label = "colony.ddata.durable"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        database = try DatabaseQueue(path: path, configuration: configuration)
        try database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS ddata_entries (
                        key TEXT PRIMARY KEY NOT NULL,
                        type TEXT,
                        state BLOB,
                        deleted INTEGER NOT NULL DEFAULT 0
                    ) WITHOUT ROWID
                    """)
        }
    }

    /// Every stored key. A row that does not decode is reported in `unreadable` and skipped.
    func load() throws -> (entries: [WireEntry], unreadable: [String]) {
        try database.read { db in
            var entries: [WireEntry] = []
            var unreadable: [String] = []
            for row in try Row.fetchAll(db, sql: "SELECT key, type, state, deleted FROM ddata_entries ORDER BY key") {
                let key: String = row["key"]
                if (row["deleted"] as Int) != 0 {
                    entries.append(WireEntry(key: key, content: .deleted))
                    continue
                }
                guard let type: String = row["type"], let blob: Data = row["state"],
                    let state = try? ETF.decode([UInt8](blob))
                else {
                    unreadable.append(key)
                    continue
                }
                entries.append(WireEntry(key: key, content: .value(type: type, state: state)))
            }
            return (entries, unreadable)
        }
    }

    /// Stores `entries` (full states and tombstones) in one transaction.
    func save(_ entries: [WireEntry]) async throws {
        var rows: [(key: String, type: String?, state: Data?, deleted: Bool)] = []
        for entry in entries {
            switch entry.content {
            case .value(let type, let state):
                rows.append((entry.key, type, Data(try ETF.encode(state)), false))
            case .deleted:
                rows.append((entry.key, nil, nil, true))
            case .absent:
                continue
            }
        }
        guard !rows.isEmpty else { return }
        try await database.write { [rows] db in
            for row in rows {
                try db.execute(
                    sql: """
                        INSERT INTO ddata_entries (key, type, state, deleted) VALUES (?, ?, ?, ?)
                        ON CONFLICT(key) DO UPDATE SET type = excluded.type, state = excluded.state,
                            deleted = excluded.deleted
                        """,
                    arguments: [row.key, row.type, row.state, row.deleted ? 1 : 0])
            }
        }
    }
}
