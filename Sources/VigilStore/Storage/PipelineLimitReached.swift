/// A new pipeline job or data gate past the store's limit (``StoreConfiguration/maxJobs``, ``maxGates``).
public struct PipelineLimitReached: Error, Sendable {
    public var field: String
    public var message: String
}
