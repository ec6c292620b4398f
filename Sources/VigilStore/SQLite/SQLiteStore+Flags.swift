import Foundation
import GRDB
import VigilCore

/// Outputs flagged as bad (see ``OutputFlag``).
extension SQLiteStore {
    /// Records a flag; returns it with its id. Past the limits nothing is recorded.
    public func saveFlag(_ flag: OutputFlag) async throws -> OutputFlag {
        let body = try StoredDocument.encoder.encode(flag)
        return try await pool.write { db in
            let row = try Row.fetchOne(
                db,
                sql: "SELECT COUNT(*) AS flags, COALESCE(SUM(predictions), 0) AS ids FROM output_flag WHERE model = ?",
                arguments: [flag.model])
            try FlagLimitReached.check(flag, flags: row?["flags"] ?? 0, flagged: row?["ids"] ?? 0)
            try db.execute(
                sql: "INSERT INTO output_flag (model, at_ms, predictions, body) VALUES (?, ?, ?, ?)",
                arguments: [flag.model, flag.flaggedAt.milliseconds, flag.predictions.count, body])
            var stored = flag
            stored.id = db.lastInsertedRowID
            return stored
        }
    }

    /// A model's flags, oldest first.
    public func flags(model: String) throws -> [OutputFlag] {
        let rows = try pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, body FROM output_flag WHERE model = ? ORDER BY id", arguments: [model])
        }
        return try rows.map { row in
            var flag = try StoredDocument.decoder.decode(OutputFlag.self, from: row["body"] as Data)
            flag.id = row["id"]
            return flag
        }
    }

    /// Removes a flag; returns whether there was one.
    @discardableResult
    public func deleteFlag(_ id: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM output_flag WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }
}
