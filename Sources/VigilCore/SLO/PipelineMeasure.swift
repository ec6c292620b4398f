/// What a pipeline SLI measures, from the runs, heartbeats and gate checks Vigil was sent (see
/// ``PipelineHistory``). Each names its subject in the SLO: `job`, `dataset` or `gate`.
///
/// | SLI | subject | value | kind |
/// |---|---|---|---|
/// | `dataset.freshness` | dataset | seconds since a run that wrote it completed | staleness |
/// | `job.cadence` | job | seconds since its last completed run | staleness |
/// | `job.heartbeat` | job | seconds since its last heartbeat or run event (dead man's switch) | staleness |
/// | `job.success_rate` | job | completed runs over finished runs | ratio |
/// | `job.duration` | job | seconds its newest finished run took, or the oldest unfinished run has taken | threshold |
/// | `gate.pass_rate` | gate | passed checks over checks | ratio |
public enum PipelineMeasure: String, Sendable, Hashable, CaseIterable {
    case datasetFreshness = "dataset.freshness"
    case jobCadence = "job.cadence"
    case jobHeartbeat = "job.heartbeat"
    case jobSuccessRate = "job.success_rate"
    case jobDuration = "job.duration"
    case gatePassRate = "gate.pass_rate"

    /// The SLO field that names what is measured.
    public var subject: Subject {
        switch self {
        case .datasetFreshness: return .dataset
        case .jobCadence, .jobHeartbeat, .jobSuccessRate, .jobDuration: return .job
        case .gatePassRate: return .gate
        }
    }

    public enum Subject: String, Sendable, Hashable { case job, dataset, gate }

    /// Seconds since something last happened: judged on the newest event, however few there were.
    public var isStaleness: Bool { self == .datasetFreshness || self == .jobCadence || self == .jobHeartbeat }

    /// Proportions of counted runs or checks, with an error budget.
    public var isRatio: Bool { self == .jobSuccessRate || self == .gatePassRate }
}
