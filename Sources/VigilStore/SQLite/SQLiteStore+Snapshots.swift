import Foundation
import GRDB
import VigilCore

/// Engine snapshots: files in the data directory's `snapshots/`, recorded in the `snapshot` table.
///
/// A file is published (written, flushed, renamed) before its row is committed, and removed only after the
/// row's deletion is committed, so every row names a whole file. Files without a row (a crash in between)
/// are removed when the store opens.
extension SQLiteStore {
    /// Streams a snapshot of `engine`, taken after the batch `sequence` was applied, to its file and records
    /// it; returns its size in bytes. The older snapshots are thinned out: each holds the whole engine and
    /// only the newest is ever restored, so between the base (the oldest, which a backfill rebuilds from)
    /// and the new one only the first of each day is kept — what retention needs to move the base forward.
    @discardableResult
    public func saveSnapshot(sequence: Int64, createdAt: Timestamp, engine: Engine) async throws -> Int {
        try FileManager.default.createDirectory(
            atPath: configuration.snapshotDirectory, withIntermediateDirectories: true)
        let name = Self.snapshotFileName(sequence)
        let file = try SnapshotFile(path: snapshotPath(name))
        let size: Int
        do {
            size = try EngineSnapshot.write(engine, to: file)
            try file.publish()
        } catch {
            file.discard()
            throw error
        }
        let dropped = try await pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO snapshot (seq, created_ms, body, file) VALUES (?, ?, x'', ?)",
                arguments: [sequence, createdAt.milliseconds, name])
            return try Self.deleteSnapshots(
                where: """
                    seq < ? AND seq > (SELECT MIN(seq) FROM snapshot)
                    AND seq NOT IN (SELECT MIN(seq) FROM snapshot GROUP BY created_ms / 86400000)
                    """,
                [sequence], db)
        }
        removeSnapshotFiles(dropped)
        return size
    }

    /// The newest snapshot, or the oldest (the base a backfill rebuilds from).
    /// - Throws: ``SnapshotFileError`` if the snapshot's file is missing or unreadable.
    public func snapshot(newest: Bool) throws -> StoredSnapshot? {
        let row = try pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT seq, body, file FROM snapshot ORDER BY seq \(newest ? "DESC" : "ASC") LIMIT 1")
        }
        guard let row else { return nil }
        guard let name: String = row["file"] else { return StoredSnapshot(sequence: row["seq"], body: row["body"]) }
        let path = snapshotPath(name)
        do {
            // Mapped, not read: the decoder reads it in place and the pages are dropped once it is done.
            let body = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
            return StoredSnapshot(sequence: row["seq"], body: body)
        } catch {
            throw SnapshotFileError(operation: "read", path: path, reason: "\(error.localizedDescription)")
        }
    }

    /// Sequence numbers of the stored snapshots, oldest first.
    public func snapshotSequences() throws -> [Int64] {
        try pool.read { db in try Int64.fetchAll(db, sql: "SELECT seq FROM snapshot ORDER BY seq") }
    }

    /// Applies retention: drops the batches up to the newest snapshot whose batches are all older than
    /// `cutoff`, and the snapshots before it (that snapshot becomes the base). Returns the batches dropped.
    @discardableResult
    public func prune(olderThan cutoff: Timestamp) async throws -> Int {
        let (batches, files) = try await pool.write { db -> (Int, [String]) in
            // The newest snapshot position such that every batch at or before it is older than the cutoff.
            let firstYoung =
                try Int64.fetchOne(
                    db, sql: "SELECT min(seq) FROM log WHERE newest_ms >= ?", arguments: [cutoff.milliseconds])
                ?? Int64.max
            guard
                let base = try Int64.fetchOne(
                    db, sql: "SELECT max(seq) FROM snapshot WHERE seq < ?", arguments: [firstYoung])
            else { return (0, []) }
            try db.execute(sql: "DELETE FROM log WHERE seq <= ?", arguments: [base])
            let dropped = db.changesCount
            return (dropped, try Self.deleteSnapshots(where: "seq < ?", [base], db))
        }
        removeSnapshotFiles(files)
        return batches
    }

    /// Deletes the snapshot rows matching `condition`; returns the files they named, to remove after commit.
    private static func deleteSnapshots(
        where condition: String, _ arguments: StatementArguments, _ db: Database
    ) throws -> [String] {
        let files = try String?.fetchAll(db, sql: "SELECT file FROM snapshot WHERE \(condition)", arguments: arguments)
        try db.execute(sql: "DELETE FROM snapshot WHERE \(condition)", arguments: arguments)
        return files.compactMap { $0 }
    }

    /// Removes snapshot files that no row names: temporary files of interrupted snapshots, and files whose
    /// row was deleted just before a crash.
    func removeUnrecordedSnapshotFiles() throws {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: configuration.snapshotDirectory)
        else { return }
        let recorded = Set(
            try pool.read { db in try String.fetchAll(db, sql: "SELECT file FROM snapshot WHERE file IS NOT NULL") })
        removeSnapshotFiles(names.filter { !recorded.contains($0) })
    }

    private func removeSnapshotFiles(_ names: [String]) {
        guard !names.isEmpty else { return }
        for name in names { try? FileManager.default.removeItem(atPath: snapshotPath(name)) }
        // Not flushing the directory is safe: a file that comes back after a power loss has no row.
    }

    private func snapshotPath(_ name: String) -> String {
        (configuration.snapshotDirectory as NSString).appendingPathComponent(name)
    }

    static func snapshotFileName(_ sequence: Int64) -> String { "\(sequence).vgs" }
}
