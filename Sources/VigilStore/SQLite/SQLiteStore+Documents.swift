import Foundation
import GRDB
import VigilCore

/// Per-model JSON documents (references, validation rules), committed before the request is answered.
extension SQLiteStore {
    /// Stores a document, with its entry on the model's change timeline.
    public func saveDocument<T: Encodable>(
        _ value: T, model: String, kind: DocumentKind, at time: Timestamp, change: Change?
    ) async throws {
        let body = try StoredDocument.encoder.encode(value)
        try await pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO model_document (model, kind, body, updated_ms) VALUES (?, ?, ?, ?)",
                arguments: [model, kind.rawValue, body, time.milliseconds])
            if let change { try Self.recordChanges([change], db) }
        }
    }

    public func document<T: Decodable>(_ type: T.Type, model: String, kind: DocumentKind) throws -> T? {
        let body = try pool.read { db in
            try Data.fetchOne(
                db, sql: "SELECT body FROM model_document WHERE model = ? AND kind = ?",
                arguments: [model, kind.rawValue])
        }
        return try body.map { try StoredDocument.decoder.decode(T.self, from: $0) }
    }

    /// Deletes a document (recording `change` if there was one); returns whether there was one.
    @discardableResult
    public func deleteDocument(model: String, kind: DocumentKind, change: Change?) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "DELETE FROM model_document WHERE model = ? AND kind = ?", arguments: [model, kind.rawValue])
            guard db.changesCount > 0 else { return false }
            if let change { try Self.recordChanges([change], db) }
            return true
        }
    }
}
