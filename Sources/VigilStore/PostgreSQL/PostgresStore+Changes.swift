import Foundation
import PostgresNIO
import VigilCore

/// Deployments and the change timeline (see ``ChangeStore``): each change is written in the transaction of
/// what it records; the newest ``StoreLimits/changesPerModel`` per model are kept.
extension PostgresStore {
    /// Appends `changes` to their models' timelines, inside the caller's transaction.
    func recordChanges(_ changes: [Change], _ c: PostgresConnection) async throws {
        for change in changes {
            let body = try StoredDocument.encoder.encode(change)
            try await c.query(
                """
                INSERT INTO change (model, at_ms, kind, subject, body)
                VALUES (\(change.model), \(change.at.milliseconds), \(change.kind.rawValue), \(change.subject), \(body))
                """, logger: logger)
        }
        for model in Set(changes.map(\.model)) {
            try await c.query(
                """
                DELETE FROM change WHERE model = \(model) AND id <= (
                    SELECT id FROM change WHERE model = \(model) ORDER BY id DESC LIMIT 1 OFFSET \(StoreLimits.changesPerModel))
                """, logger: logger)
        }
    }

    public func recordChanges(_ changes: [Change]) async throws {
        guard !changes.isEmpty else { return }
        try await transaction { c in try await recordChanges(changes, c) }
    }

    public func changes(
        model: String, from: Timestamp?, to: Timestamp?, kinds: Set<Change.Kind>?, limit: Int
    ) async throws -> [Change] {
        let rows = try await rows(
            """
            SELECT id, body FROM change
            WHERE model = \(model) AND at_ms >= \(from?.milliseconds ?? Int64.min) AND at_ms < \(to?.milliseconds ?? Int64.max)
            ORDER BY at_ms DESC, id DESC LIMIT \(limit)
            """)
        var out: [Change] = []
        for row in rows.reversed() {
            let (id, body) = try row.decode((Int64, Data).self)
            var change = try StoredDocument.decoder.decode(Change.self, from: body)
            change.id = id
            if kinds.map({ $0.contains(change.kind) }) ?? true { out.append(change) }
        }
        return out
    }

    public func hasTimeline(model: String) async throws -> Bool {
        try await rows(
            """
            SELECT EXISTS (SELECT 1 FROM deployment WHERE model = \(model))
                OR EXISTS (SELECT 1 FROM change WHERE model = \(model))
            """)[0].decode(Bool.self)
    }

    // MARK: - Deployments

    public func deploymentModelCount() async throws -> Int {
        try await rows("SELECT count(DISTINCT model) FROM deployment")[0].decode(Int.self)
    }

    public func saveDeployment(_ deployment: Deployment, retiring: Deployment?, changes: [Change]) async throws {
        let bodies = try ([deployment] + (retiring.map { [$0] } ?? [])).map {
            ($0, try StoredDocument.encoder.encode($0))
        }
        try await transaction { c in
            for (d, body) in bodies {
                try await c.query(
                    """
                    INSERT INTO deployment (model, version, body, updated_ms)
                    VALUES (\(d.model), \(d.version), \(body), \(d.updatedAt.milliseconds))
                    ON CONFLICT (model, version) DO UPDATE SET body = excluded.body, updated_ms = excluded.updated_ms
                    """, logger: logger)
            }
            try await recordChanges(changes, c)
        }
    }

    public func deployments(model: String) async throws -> [Deployment] {
        try await rows("SELECT body FROM deployment WHERE model = \(model)")
            .map { try StoredDocument.decoder.decode(Deployment.self, from: try $0.decode(Data.self)) }
            .sorted { ($0.startedAt, $0.version) < ($1.startedAt, $1.version) }
    }

    @discardableResult
    public func deleteDeployment(model: String, version: String, change: Change) async throws -> Bool {
        try await transaction { c in
            let deleted = try await rows(
                "DELETE FROM deployment WHERE model = \(model) AND version = \(version) RETURNING 1", on: c)
            guard !deleted.isEmpty else { return false }
            try await recordChanges([change], c)
            return true
        }
    }
}
