import Foundation
import GRDB
import VigilCore

/// Data gates and their checks.
extension SQLiteStore {
    /// Creates or replaces a gate; returns whether it is new.
    @discardableResult
    public func saveGate(_ gate: DataGate) async throws -> Bool {
        let body = try StoredDocument.encoder.encode(gate)
        return try await pool.write { db in
            let existed =
                try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM gate WHERE name = ?)", arguments: [gate.name])
                ?? false
            let limit = configuration.maxGates
            if !existed, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM gate") ?? 0 >= limit {
                throw PipelineLimitReached.gate(gate.name, limit: limit)
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO gate (name, body, updated_ms) VALUES (?, ?, ?)",
                arguments: [gate.name, body, gate.updatedAt.milliseconds])
            return !existed
        }
    }

    public func gate(_ name: String) throws -> DataGate? {
        try pool.read { db in
            try Data.fetchOne(db, sql: "SELECT body FROM gate WHERE name = ?", arguments: [name])
        }.map { try StoredDocument.decoder.decode(DataGate.self, from: $0) }
    }

    public func gates() throws -> [DataGate] {
        try pool.read { db in try Data.fetchAll(db, sql: "SELECT body FROM gate ORDER BY name") }
            .map { try StoredDocument.decoder.decode(DataGate.self, from: $0) }
    }

    /// Removes a gate, its checks and its declarations on jobs; returns whether there was one.
    @discardableResult
    public func deleteGate(_ name: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM gate_check WHERE gate = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM job_gate WHERE gate = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM gate WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    /// Records a check; returns it with its id.
    public func recordGateCheck(_ check: GateCheck) async throws -> GateCheck {
        let body = try StoredDocument.encoder.encode(check)
        return try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO gate_check (gate, at_ms, verdict, run_id, body) VALUES (?, ?, ?, ?, ?)",
                arguments: [check.gate, check.checkedAt.milliseconds, check.verdict.rawValue, check.runId, body])
            var stored = check
            stored.id = db.lastInsertedRowID
            try db.execute(
                sql: """
                    DELETE FROM gate_check WHERE gate = ? AND id <= (
                        SELECT id FROM gate_check WHERE gate = ? ORDER BY id DESC LIMIT 1 OFFSET ?)
                    """,
                arguments: [check.gate, check.gate, StoreLimits.checksPerGate])
            return stored
        }
    }

    /// A gate's checks, newest first; or a run's checks with `runId`.
    public func gateChecks(gate: String?, runId: String?, limit: Int) throws -> [GateCheck] {
        let rows = try pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, body FROM gate_check WHERE (? IS NULL OR gate = ?) AND (? IS NULL OR run_id = ?)
                    ORDER BY id DESC LIMIT ?
                    """,
                arguments: [gate, gate, runId, runId, limit])
        }
        return try rows.map { row in
            var check = try StoredDocument.decoder.decode(GateCheck.self, from: row["body"] as Data)
            check.id = row["id"]
            return check
        }
    }
}
