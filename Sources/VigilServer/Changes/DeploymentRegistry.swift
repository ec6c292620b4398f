import HTTPTypes
import VigilCore
import VigilStore

/// The deployments of every model: validated against their siblings and stored with their timeline entries,
/// one write at a time (two concurrent promotions must not both find no primary).
final class DeploymentRegistry: Sendable {
    private let log: any Store
    /// Held across a check and its write.
    private let writing = AsyncLock()

    init(log: any Store) { self.log = log }

    func all(model: String) async throws(APIError) -> [Deployment] {
        do {
            return try await log.deployments(model: model)
        } catch {
            throw APIError(.internalServerError, "storage_failed", "could not read deployments: \(error)")
        }
    }

    func get(model: String, version: String) async throws(APIError) -> Deployment? {
        try await all(model: model).first { $0.version == version }
    }

    /// Creates or updates `version`'s record from `body`; with `replaces`, retires that (primary) version in
    /// the same transaction, as a promotion does. Returns the record, whether it is new, and the timeline entries made.
    func put(
        model: String, version: String, body: DeploymentBody, replaces: String?, at now: Timestamp
    ) async throws(APIError) -> (deployment: Deployment, created: Bool, changes: [Change]) {
        try await writing.withLock { () async throws(APIError) in
            var others = try await all(model: model)
            let stored = others.first { $0.version == version }
            others.removeAll { $0.version == version }
            var deployment = try body.applied(to: stored, model: model, version: version, now: now)
            deployment.normalize()
            var changes = deployment.changes(from: stored, at: now)
            var retired: Deployment?
            if let replaces {
                guard replaces != version, var old = others.first(where: { $0.version == replaces }) else {
                    throw APIError(
                        .badRequest, "unknown_version",
                        "replaces: model '\(model)' has no other deployment '\(replaces.prefix(64))'")
                }
                let before = old
                old.stage = .retired
                old.trafficShare = nil
                old.endedAt = old.endedAt ?? now
                old.updatedAt = now
                changes = old.changes(from: before, at: now) + changes
                others = others.map { $0.version == replaces ? old : $0 }
                retired = old
            }
            do throws(DeploymentError) {
                try deployment.validate(among: others)
            } catch {
                throw error.api
            }
            do {
                try await log.saveDeployment(deployment, retiring: retired, changes: changes)
            } catch {
                throw APIError(.internalServerError, "storage_failed", "could not store the deployment: \(error)")
            }
            return (deployment, stored == nil, changes)
        }
    }

    /// Removes a record; returns whether there was one.
    func delete(model: String, version: String, at now: Timestamp) async throws(APIError) -> Bool {
        try await writing.withLock { () async throws(APIError) in
            guard let stored = try await get(model: model, version: version) else { return false }
            do {
                return try await log.deleteDeployment(model: model, version: version, change: stored.removal(at: now))
            } catch {
                throw APIError(.internalServerError, "storage_failed", "could not delete the deployment: \(error)")
            }
        }
    }
}

extension DeploymentError {
    /// The HTTP form: a conflict with another record is 409, anything else 400; both name the field.
    var api: APIError {
        let status: HTTPResponse.Status =
            code == .stageConflict || code == .trafficShareExceeded ? .conflict : .badRequest
        return APIError(
            status, code.rawValue, "\(field): \(message)",
            details: [RowRejection(index: 0, field: field, code: code.rawValue, message: message)])
    }
}
