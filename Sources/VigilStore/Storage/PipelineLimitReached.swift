import VigilCore

/// A new pipeline job or data gate past the store's limit (``StoreConfiguration/maxJobs``, ``maxGates``).
public struct PipelineLimitReached: Error, Sendable {
    public var field: String
    public var message: String

    /// A job not seen before, once `limit` are kept.
    static func job(_ job: JobRef, limit: Int) -> PipelineLimitReached {
        PipelineLimitReached(
            field: "job",
            message: "job '\(job.description.prefix(128))' would be job \(limit + 1); at most \(limit) are kept")
    }

    /// A gate not defined before, once `limit` are kept.
    static func gate(_ name: String, limit: Int) -> PipelineLimitReached {
        PipelineLimitReached(
            field: "name", message: "gate '\(name)' would be gate \(limit + 1); at most \(limit) are kept")
    }
}
