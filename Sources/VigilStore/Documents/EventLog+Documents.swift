import Foundation
import GRDB
import VigilCore

/// A model's reference profile, with where it came from.
public struct StoredReference: Sendable, Codable {
    public enum Source: Sendable, Codable, Hashable {
        /// Rows uploaded as CSV or NDJSON.
        case upload(format: ReferenceTable.Format)
        /// A window of the model's served predictions.
        case window(from: Timestamp, to: Timestamp, version: String?)
    }

    public var source: Source
    public var createdAt: Timestamp
    public var profile: DataProfile

    public init(source: Source, createdAt: Timestamp, profile: DataProfile) {
        self.source = source
        self.createdAt = createdAt
        self.profile = profile
    }
}

/// Per-model JSON documents (references, validation rules), committed before the request is answered.
extension EventLog {
    public enum DocumentKind: String, Sendable {
        case reference, rules
        /// Who owns the model and what it is for (``PUT /v1/models/{model}``).
        case about
    }

    static let documentEncoder: JSONEncoder = {
        let e = JSONEncoder()
        e.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        e.outputFormatting = .sortedKeys
        return e
    }()

    static let documentDecoder: JSONDecoder = {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }()

    /// Stores a document, with its entry on the model's change timeline.
    public func saveDocument<T: Encodable>(
        _ value: T, model: String, kind: DocumentKind, at time: Timestamp, change: Change? = nil
    ) async throws {
        let body = try Self.documentEncoder.encode(value)
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
        return try body.map { try Self.documentDecoder.decode(T.self, from: $0) }
    }

    /// Deletes a document (recording `change` if there was one); returns whether there was one.
    @discardableResult
    public func deleteDocument(model: String, kind: DocumentKind, change: Change? = nil) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "DELETE FROM model_document WHERE model = ? AND kind = ?", arguments: [model, kind.rawValue])
            guard db.changesCount > 0 else { return false }
            if let change { try Self.recordChanges([change], db) }
            return true
        }
    }
}
