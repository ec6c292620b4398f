import VigilCore

/// What a per-model document is.
public enum DocumentKind: String, Sendable, CaseIterable {
    case reference, rules
    /// Who owns the model and what it is for (``PUT /v1/models/{model}``).
    case about
}

/// What is kept per model besides its events: custom metric definitions (written with their log entry, see
/// ``StoreUpdate``) and JSON documents (reference, rules, about).
public protocol ModelStore: Sendable {
    /// The stored custom metric definitions of `model` (all models when `nil`), by model and name.
    func metricDefinitions(model: String?) async throws -> [StoredMetricDefinition]

    /// Stores a document, with its entry on the model's change timeline.
    func saveDocument<T: Encodable>(
        _ value: T, model: String, kind: DocumentKind, at time: Timestamp, change: Change?
    ) async throws

    func document<T: Decodable>(_ type: T.Type, model: String, kind: DocumentKind) async throws -> T?

    /// Deletes a document (recording `change` if there was one); returns whether there was one.
    @discardableResult
    func deleteDocument(model: String, kind: DocumentKind, change: Change?) async throws -> Bool
}

extension ModelStore {
    /// Every stored custom metric definition.
    public func metricDefinitions() async throws -> [StoredMetricDefinition] { try await metricDefinitions(model: nil) }

    /// Stores a document without a timeline entry.
    public func saveDocument<T: Encodable>(_ value: T, model: String, kind: DocumentKind, at time: Timestamp)
        async throws
    {
        try await saveDocument(value, model: model, kind: kind, at: time, change: nil)
    }

    /// Deletes a document without a timeline entry; returns whether there was one.
    @discardableResult
    public func deleteDocument(model: String, kind: DocumentKind) async throws -> Bool {
        try await deleteDocument(model: model, kind: kind, change: nil)
    }
}
