import VigilCore

/// Deployments and the per-model change timeline. A change is written in the same transaction as what it
/// records, so the timeline never misses nor invents one; the newest ``StoreLimits/changesPerModel`` are kept.
public protocol ChangeStore: Sendable {
    /// Appends `changes` in a transaction of their own.
    func recordChanges(_ changes: [Change]) async throws

    /// A model's changes with `from <= at < to` of the given kinds, oldest first, at most `limit` (the newest).
    func changes(model: String, from: Timestamp?, to: Timestamp?, kinds: Set<Change.Kind>?, limit: Int) async throws
        -> [Change]

    /// Whether `model` has deployments or changes on record (it may have no predictions yet).
    func hasTimeline(model: String) async throws -> Bool

    /// How many models have deployment records.
    func deploymentModelCount() async throws -> Int

    /// Stores a deployment (and retires the one it replaces) with the timeline entries they make.
    func saveDeployment(_ deployment: Deployment, retiring: Deployment?, changes: [Change]) async throws

    /// The deployments of `model`, by start time.
    func deployments(model: String) async throws -> [Deployment]

    /// Removes a deployment record; returns whether there was one.
    @discardableResult
    func deleteDeployment(model: String, version: String, change: Change) async throws -> Bool
}
