import Foundation
import PostgresNIO
import VigilCore

/// Per-model documents, SLO definitions, alerts and the outbox (see ``ModelStore`` and ``AlertStore``).
extension PostgresStore {
    public func saveDocument<T: Encodable>(
        _ value: T, model: String, kind: DocumentKind, at time: Timestamp, change: Change?
    ) async throws {
        let body = try StoredDocument.encoder.encode(value)
        try await transaction { c in
            try await c.query(
                """
                INSERT INTO model_document (model, kind, body, updated_ms)
                VALUES (\(model), \(kind.rawValue), \(body), \(time.milliseconds))
                ON CONFLICT (model, kind) DO UPDATE SET body = excluded.body, updated_ms = excluded.updated_ms
                """, logger: logger)
            if let change { try await recordChanges([change], c) }
        }
    }

    public func document<T: Decodable>(_ type: T.Type, model: String, kind: DocumentKind) async throws -> T? {
        let body = try await rows(
            "SELECT body FROM model_document WHERE model = \(model) AND kind = \(kind.rawValue)"
        ).first?.decode(Data.self)
        return try body.map { try StoredDocument.decoder.decode(T.self, from: $0) }
    }

    @discardableResult
    public func deleteDocument(model: String, kind: DocumentKind, change: Change?) async throws -> Bool {
        try await transaction { c in
            let deleted = try await rows(
                "DELETE FROM model_document WHERE model = \(model) AND kind = \(kind.rawValue) RETURNING 1", on: c)
            guard !deleted.isEmpty else { return false }
            if let change { try await recordChanges([change], c) }
            return true
        }
    }

    // MARK: - SLOs

    public func saveSLO(_ slo: SLODefinition, at time: Timestamp) async throws {
        try await saveSLOs([slo], at: time)
    }

    /// Inserts or replaces definitions, each with its entry on its model's change timeline (if it changed).
    public func saveSLOs(_ slos: [SLODefinition], at time: Timestamp) async throws {
        let rows = try slos.map { ($0, try StoredDocument.encoder.encode($0)) }
        try await transaction { c in
            for (slo, body) in rows {
                let old = try await storedSLO(slo.name, c)
                if let change = Change.slo(slo, replacing: old, at: time) { try await recordChanges([change], c) }
                try await c.query(
                    """
                    INSERT INTO slo (name, body, updated_ms) VALUES (\(slo.name), \(body), \(time.milliseconds))
                    ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_ms = excluded.updated_ms
                    """, logger: logger)
            }
        }
    }

    private func storedSLO(_ name: String, _ c: PostgresConnection) async throws -> SLODefinition? {
        try await rows("SELECT body FROM slo WHERE name = \(name) FOR UPDATE", on: c).first.map {
            try StoredDocument.decoder.decode(SLODefinition.self, from: try $0.decode(Data.self))
        }
    }

    public func slos() async throws -> [SLODefinition] {
        try await rows("SELECT body FROM slo ORDER BY name").map {
            try StoredDocument.decoder.decode(SLODefinition.self, from: try $0.decode(Data.self))
        }
    }

    @discardableResult
    public func deleteSLO(_ name: String, at time: Timestamp) async throws -> Bool {
        try await transaction { c in
            guard let old = try await storedSLO(name, c) else { return false }
            try await c.query("DELETE FROM slo WHERE name = \(name)", logger: logger)
            try await recordChanges([.sloRemoved(old, at: time)], c)
            return true
        }
    }

    // MARK: - Alerts and the outbox

    public func saveAlerts(_ alerts: [Alert], notifying messages: [OutboxMessage]) async throws {
        guard !alerts.isEmpty || !messages.isEmpty else { return }
        let rows = try alerts.map { ($0, try StoredDocument.encoder.encode($0)) }
        try await transaction { c in
            for (a, body) in rows {
                try await c.query(
                    """
                    INSERT INTO alert (id, slo, state, body, updated_ms)
                    VALUES (\(a.id), \(a.slo), \(a.state.rawValue), \(body), \(a.updatedAt.milliseconds))
                    ON CONFLICT (id) DO UPDATE SET slo = excluded.slo, state = excluded.state, body = excluded.body,
                        updated_ms = excluded.updated_ms
                    """, logger: logger)
            }
            for m in messages {
                try await c.query(
                    """
                    INSERT INTO outbox (target, key, body, created_ms, next_ms)
                    VALUES (\(m.target), \(m.key), \(m.body), \(m.createdAt.milliseconds), \(m.createdAt.milliseconds))
                    ON CONFLICT (key) DO NOTHING
                    """, logger: logger)
            }
        }
    }

    public func alerts(states: Set<Alert.State>?, slo: String?, limit: Int) async throws -> [Alert] {
        let names = states.map { $0.map(\.rawValue).sorted() }
        return try await rows(
            """
            SELECT body FROM alert
            WHERE (\(names == nil) OR state = ANY(\(names ?? []))) AND (\(slo)::text IS NULL OR slo = \(slo))
            ORDER BY updated_ms DESC, id LIMIT \(limit)
            """
        ).map { try StoredDocument.decoder.decode(Alert.self, from: try $0.decode(Data.self)) }
    }

    @discardableResult
    public func pruneAlerts(resolvedBefore cutoff: Timestamp) async throws -> Int {
        try await rows(
            """
            WITH d AS (DELETE FROM alert WHERE state = 'resolved' AND updated_ms < \(cutoff.milliseconds) RETURNING 1)
            SELECT count(*) FROM d
            """)[0].decode(Int.self)
    }

    public func dueMessages(at now: Timestamp, limit: Int) async throws -> [OutboxMessage] {
        try await rows(
            """
            SELECT id, target, key, body, created_ms, attempts FROM outbox WHERE next_ms <= \(now.milliseconds)
            ORDER BY id LIMIT \(limit)
            """
        ).map { row in
            let (id, target, key, body, created, attempts) = try row.decode(
                (Int64, String, String, Data, Int64, Int).self)
            var m = OutboxMessage(target: target, key: key, body: body, createdAt: Timestamp(milliseconds: created))
            m.id = id
            m.attempts = attempts
            return m
        }
    }

    public func nextMessageDue() async throws -> Timestamp? {
        try await rows("SELECT min(next_ms) FROM outbox")[0].decode(Int64?.self).map(Timestamp.init(milliseconds:))
    }

    public func outboxCount() async throws -> Int {
        try await rows("SELECT count(*) FROM outbox")[0].decode(Int.self)
    }

    public func removeMessage(_ id: Int64) async throws {
        _ = try await rows("DELETE FROM outbox WHERE id = \(id)")
    }

    public func retryMessage(_ id: Int64, attempts: Int, at next: Timestamp) async throws {
        _ = try await rows("UPDATE outbox SET attempts = \(attempts), next_ms = \(next.milliseconds) WHERE id = \(id)")
    }
}
