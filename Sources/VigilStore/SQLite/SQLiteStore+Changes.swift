import Foundation
import GRDB
import VigilCore

/// Deployments and the change timeline: each change is written in the same transaction as what it records,
/// so the timeline never misses nor invents one.
extension SQLiteStore {
    /// Appends `changes` to their models' timelines, inside the caller's transaction.
    static func recordChanges(_ changes: [Change], _ db: Database) throws {
        for c in changes {
            try db.execute(
                sql: "INSERT INTO change (model, at_ms, kind, subject, body) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    c.model, c.at.milliseconds, c.kind.rawValue, c.subject, try StoredDocument.encoder.encode(c),
                ])
        }
        for model in Set(changes.map(\.model)) {
            try db.execute(
                sql: """
                    DELETE FROM change WHERE model = ? AND id <= (
                        SELECT id FROM change WHERE model = ? ORDER BY id DESC LIMIT 1 OFFSET ?)
                    """,
                arguments: [model, model, StoreLimits.changesPerModel])
        }
    }

    /// Appends `changes` in a transaction of their own.
    public func recordChanges(_ changes: [Change]) async throws {
        guard !changes.isEmpty else { return }
        try await pool.write { db in try Self.recordChanges(changes, db) }
    }

    /// A model's changes with `from <= at < to`, oldest first, at most `limit` (the newest ones).
    public func changes(
        model: String, from: Timestamp?, to: Timestamp?, kinds: Set<Change.Kind>?, limit: Int
    ) throws -> [Change] {
        let rows = try pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, body FROM change WHERE model = ? AND at_ms >= ? AND at_ms < ?
                    ORDER BY at_ms DESC, id DESC LIMIT ?
                    """,
                arguments: [model, from?.milliseconds ?? Int64.min, to?.milliseconds ?? Int64.max, limit])
        }
        var out: [Change] = []
        for row in rows.reversed() {
            var change = try StoredDocument.decoder.decode(Change.self, from: row["body"] as Data)
            change.id = row["id"]
            if kinds.map({ $0.contains(change.kind) }) ?? true { out.append(change) }
        }
        return out
    }

    /// Whether `model` has deployments or changes on record (it may have no predictions yet).
    public func hasTimeline(model: String) throws -> Bool {
        try pool.read { db in
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM deployment WHERE model = ?)
                        OR EXISTS (SELECT 1 FROM change WHERE model = ?)
                    """,
                arguments: [model, model]) ?? false
        }
    }

    // MARK: - Deployments

    /// How many models have deployment records.
    public func deploymentModelCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT model) FROM deployment") ?? 0 }
    }

    /// Stores a deployment (and retires the one it replaces) with the timeline entries they make.
    public func saveDeployment(_ deployment: Deployment, retiring: Deployment?, changes: [Change]) async throws {
        let bodies = try ([deployment] + (retiring.map { [$0] } ?? [])).map {
            ($0, try StoredDocument.encoder.encode($0))
        }
        try await pool.write { db in
            for (d, body) in bodies {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO deployment (model, version, body, updated_ms) VALUES (?, ?, ?, ?)",
                    arguments: [d.model, d.version, body, d.updatedAt.milliseconds])
            }
            try Self.recordChanges(changes, db)
        }
    }

    /// The deployments of `model`, by start time.
    public func deployments(model: String) throws -> [Deployment] {
        let bodies = try pool.read { db in
            try Data.fetchAll(db, sql: "SELECT body FROM deployment WHERE model = ?", arguments: [model])
        }
        return try bodies.map { try StoredDocument.decoder.decode(Deployment.self, from: $0) }
            .sorted { ($0.startedAt, $0.version) < ($1.startedAt, $1.version) }
    }

    /// Removes a deployment record; returns whether there was one.
    @discardableResult
    public func deleteDeployment(model: String, version: String, change: Change) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "DELETE FROM deployment WHERE model = ? AND version = ?", arguments: [model, version])
            guard db.changesCount > 0 else { return false }
            try Self.recordChanges([change], db)
            return true
        }
    }
}
