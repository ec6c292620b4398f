import Foundation
import GRDB
import VigilCore

extension SQLiteStore {
    /// Saves alerts and queues their notifications in one transaction.
    public func saveAlerts(_ alerts: [Alert], notifying messages: [OutboxMessage]) async throws {
        guard !alerts.isEmpty || !messages.isEmpty else { return }
        let rows = try alerts.map { ($0, try StoredDocument.encoder.encode($0)) }
        try await pool.write { db in
            for (a, body) in rows {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO alert (id, slo, state, body, updated_ms) VALUES (?, ?, ?, ?, ?)",
                    arguments: [a.id, a.slo, a.state.rawValue, body, a.updatedAt.milliseconds])
            }
            for m in messages {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO outbox (target, key, body, created_ms, next_ms) VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [m.target, m.key, m.body, m.createdAt.milliseconds, m.createdAt.milliseconds])
            }
        }
    }

    /// Messages due at `now`, oldest first.
    public func dueMessages(at now: Timestamp, limit: Int) throws -> [OutboxMessage] {
        try pool.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT id, target, key, body, created_ms, attempts FROM outbox WHERE next_ms <= ? ORDER BY id LIMIT ?",
                arguments: [now.milliseconds, limit]
            ).map { row in
                var m = OutboxMessage(
                    target: row["target"], key: row["key"], body: row["body"],
                    createdAt: Timestamp(milliseconds: row["created_ms"]))
                m.id = row["id"]
                m.attempts = row["attempts"]
                return m
            }
        }
    }

    /// The earliest time a queued message is due, if any.
    public func nextMessageDue() throws -> Timestamp? {
        try pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(next_ms) FROM outbox").map(Timestamp.init(milliseconds:))
        }
    }

    /// Messages still queued.
    public func outboxCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0 }
    }

    /// Removes a delivered (or abandoned) message.
    public func removeMessage(_ id: Int64) async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM outbox WHERE id = ?", arguments: [id]) }
    }

    /// Records a failed attempt and when to try again.
    public func retryMessage(_ id: Int64, attempts: Int, at next: Timestamp) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE outbox SET attempts = ?, next_ms = ? WHERE id = ?",
                arguments: [attempts, next.milliseconds, id])
        }
    }
}
