import VigilCore

/// A job with its newest run.
public struct JobSummary: Sendable, Codable {
    public var job: JobRef
    public var firstSeen: Timestamp
    public var runs: Int
    public var latest: PipelineRun?
    /// The newest run that completed.
    public var lastSuccess: Timestamp?

    enum CodingKeys: String, CodingKey {
        case job, firstSeen = "first_seen", runs, latest, lastSuccess = "last_success"
    }
}
