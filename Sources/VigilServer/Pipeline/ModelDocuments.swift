import HTTPTypes
import Synchronization
import VigilCore
import VigilStore

/// References and validation rules, read through from the store and cached decoded, so a drift query
/// does not parse a reference profile on every request.
final class ModelDocuments: Sendable {
    private let log: any Store
    private let references = Mutex<[String: StoredReference?]>([:])
    private let rules = Mutex<[String: RuleSet?]>([:])
    private let abouts = Mutex<[String: ModelAbout?]>([:])

    init(log: any Store) { self.log = log }

    func reference(_ model: String) async throws(APIError) -> StoredReference? {
        try await cached(references, model, .reference)
    }

    func rules(_ model: String) async throws(APIError) -> RuleSet? {
        try await cached(rules, model, .rules)
    }

    /// The model's owner and description, when declared.
    func about(_ model: String) async throws(APIError) -> ModelAbout? {
        try await cached(abouts, model, .about)
    }

    func setAbout(_ a: ModelAbout, model: String) async throws(APIError) {
        try await save(a, model, .about, at: a.updatedAt, change: nil)
        abouts.withLock { $0[model] = .some(a) }
    }

    func setReference(_ r: StoredReference, model: String) async throws(APIError) {
        let how: String
        switch r.source {
        case .upload(let format): how = "an uploaded \(format.rawValue.uppercased()) file"
        case .window(let from, let to, let version):
            how = "served predictions\(version.map { " of \($0)" } ?? "") from \(from) to \(to)"
        }
        try await save(
            r, model, .reference, at: r.createdAt, change: .reference(model: model, at: r.createdAt, how: how))
        references.withLock { $0[model] = .some(r) }
    }

    func setRules(_ r: RuleSet, model: String, at time: Timestamp) async throws(APIError) {
        try await save(r, model, .rules, at: time, change: .rules(model: model, at: time, columns: r.columns.count))
        rules.withLock { $0[model] = .some(r) }
    }

    /// Drops every cached document (a follower node: another node's writes change them).
    func forgetAll() {
        references.withLock { $0 = [:] }
        rules.withLock { $0 = [:] }
        abouts.withLock { $0 = [:] }
    }

    /// Drops the cached documents of a removed model (the store deleted them with the model).
    func forget(model: String) {
        references.withLock { $0[model] = .some(nil) }
        rules.withLock { $0[model] = .some(nil) }
        abouts.withLock { $0[model] = .some(nil) }
    }

    func delete(_ kind: DocumentKind, model: String, at time: Timestamp) async throws(APIError) -> Bool {
        let existed: Bool
        let change: Change? =
            switch kind {
            case .reference: .reference(model: model, at: time, how: nil)
            case .rules: .rules(model: model, at: time, columns: nil)
            case .about: nil
            }
        do {
            existed = try await log.deleteDocument(model: model, kind: kind, change: change)
        } catch {
            throw APIError(.internalServerError, "storage_failed", "could not delete the \(kind.rawValue): \(error)")
        }
        switch kind {
        case .reference: references.withLock { $0[model] = .some(nil) }
        case .rules: rules.withLock { $0[model] = .some(nil) }
        case .about: abouts.withLock { $0[model] = .some(nil) }
        }
        return existed
    }

    private func cached<T: Codable & Sendable>(
        _ cache: borrowing Mutex<[String: T?]>, _ model: String, _ kind: DocumentKind
    ) async throws(APIError) -> T? {
        if let hit = cache.withLock({ $0[model] }) { return hit }
        let loaded: T?
        do {
            loaded = try await log.document(T.self, model: model, kind: kind)
        } catch {
            throw APIError(.internalServerError, "storage_failed", "could not read the \(kind.rawValue): \(error)")
        }
        cache.withLock { $0[model] = .some(loaded) }
        return loaded
    }

    private func save<T: Encodable>(
        _ value: T, _ model: String, _ kind: DocumentKind, at time: Timestamp, change: Change?
    ) async throws(APIError) {
        do {
            try await log.saveDocument(value, model: model, kind: kind, at: time, change: change)
        } catch {
            throw APIError(.internalServerError, "storage_failed", "could not store the \(kind.rawValue): \(error)")
        }
    }
}

extension ModelDocuments {
    /// What drift and quality SLIs of `model` compare against: its reference, and its rules (stored, else
    /// suggested from the reference).
    func sliInputs(_ model: String) async throws(APIError) -> SLIInputs {
        SLIInputs(reference: try await reference(model)?.profile, rules: try await effectiveRules(model)?.rules)
    }

    /// The stored rules (`user`), else rules suggested from the reference (`suggested`), else none.
    func effectiveRules(_ model: String) async throws(APIError) -> (rules: RuleSet, source: String)? {
        if let stored = try await rules(model) { return (stored, "user") }
        if let r = try await reference(model) { return (RuleSet.suggested(from: r.profile), "suggested") }
        return nil
    }
}
