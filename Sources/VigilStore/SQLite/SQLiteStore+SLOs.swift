import Foundation
import GRDB
import VigilCore

/// SLO definitions and alerts, committed before the request (or the evaluation) that made them is done.
extension SQLiteStore {
    public func saveSLO(_ slo: SLODefinition, at time: Timestamp) async throws {
        let rows = try Self.sloRows([slo])
        try await pool.write { db in try Self.insertSLOs(rows, at: time, db) }
    }

    public func slos() throws -> [SLODefinition] {
        let bodies = try pool.read { db in try Data.fetchAll(db, sql: "SELECT body FROM slo ORDER BY name") }
        return try bodies.map { try StoredDocument.decoder.decode(SLODefinition.self, from: $0) }
    }

    /// Deletes an SLO, with its entry on the model's change timeline; returns whether there was one.
    @discardableResult
    public func deleteSLO(_ name: String, at time: Timestamp) async throws -> Bool {
        try await pool.write { db in
            let old = try Self.storedSLO(name, db)
            try db.execute(sql: "DELETE FROM slo WHERE name = ?", arguments: [name])
            guard let old, db.changesCount > 0 else { return false }
            try Self.recordChanges([.sloRemoved(old, at: time)], db)
            return true
        }
    }

    /// Alerts, most recently updated first: the live ones (pending, firing) and the newest resolved ones.
    public func alerts(states: Set<Alert.State>?, slo: String?, limit: Int) throws -> [Alert] {
        var sql = "SELECT body FROM alert"
        var clauses: [String] = []
        var arguments: StatementArguments = []
        if let states {
            clauses.append("state IN (\(states.map { _ in "?" }.joined(separator: ", ")))")
            for s in states.map(\.rawValue).sorted() { arguments += [s] }
        }
        if let slo {
            clauses.append("slo = ?")
            arguments += [slo]
        }
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        sql += " ORDER BY updated_ms DESC, id LIMIT ?"
        arguments += [limit]
        let bodies = try pool.read { db in try Data.fetchAll(db, sql: sql, arguments: arguments) }
        return try bodies.map { try StoredDocument.decoder.decode(Alert.self, from: $0) }
    }

    /// Drops resolved alerts last updated before `cutoff`; returns how many.
    @discardableResult
    public func pruneAlerts(resolvedBefore cutoff: Timestamp) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: "DELETE FROM alert WHERE state = 'resolved' AND updated_ms < ?", arguments: [cutoff.milliseconds])
            return db.changesCount
        }
    }
}

extension SQLiteStore {
    /// Stores definitions (at start, before the server takes requests).
    public func saveSLOs(_ slos: [SLODefinition], at time: Timestamp) async throws {
        let rows = try Self.sloRows(slos)
        try await pool.write { db in try Self.insertSLOs(rows, at: time, db) }
    }

    /// Encoded outside the write transaction, so the writer is held only for the inserts.
    private static func sloRows(_ slos: [SLODefinition]) throws -> [(SLODefinition, Data)] {
        try slos.map { ($0, try StoredDocument.encoder.encode($0)) }
    }

    private static func storedSLO(_ name: String, _ db: Database) throws -> SLODefinition? {
        try Data.fetchOne(db, sql: "SELECT body FROM slo WHERE name = ?", arguments: [name]).map {
            try StoredDocument.decoder.decode(SLODefinition.self, from: $0)
        }
    }

    /// Inserts or replaces definitions, each with its entry on its model's change timeline (if it changed).
    private static func insertSLOs(_ rows: [(SLODefinition, Data)], at time: Timestamp, _ db: Database) throws {
        for (slo, body) in rows {
            let old = try storedSLO(slo.name, db)
            if let change = Change.slo(slo, replacing: old, at: time) { try recordChanges([change], db) }
            let name = slo.name
            try db.execute(
                sql: "INSERT OR REPLACE INTO slo (name, body, updated_ms) VALUES (?, ?, ?)",
                arguments: [name, body, time.milliseconds])
        }
    }
}
