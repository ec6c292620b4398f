/// A model version's rollout record: where it serves, with what share of traffic, since when, and what it was
/// built from.
///
/// Deployments are documents beside the engine, not events: the engine joins predictions by `version` string
/// whether or not a deployment names it. Each change to one lands on the model's ``Change`` timeline.
///
/// ```swift
/// var d = Deployment(model: "fraud", version: "v2", stage: .canary, startedAt: now)
/// d.trafficShare = 0.1
/// d.codeRef = "9f2c1e7"
/// d.offlineMetrics = ["roc_auc": 0.91]
/// try d.validate(among: stored)
/// ```
public struct Deployment: Sendable, Hashable, Codable {
    /// Where a version serves.
    public enum Stage: String, Sendable, Hashable, Codable, CaseIterable {
        /// Scores a copy of the traffic; its predictions never reach users nor the primary's metrics.
        case shadow
        /// Serves a share of the traffic beside the primary.
        case canary
        /// Serves the traffic (one per model at a time).
        case primary
        /// Serves nothing any more.
        case retired
    }

    public var model: String
    public var version: String
    public var stage: Stage
    /// The share of requests it serves (0…1); for a shadow, the share of requests it scores.
    public var trafficShare: Double?
    public var startedAt: Timestamp
    /// When it stopped serving (set when it is retired, if not given).
    public var endedAt: Timestamp?
    public var owner: String?
    /// The code it runs, e.g. a git commit.
    public var codeRef: String?
    /// The training run that produced it (an MLflow run id, an OpenLineage run id…).
    public var trainingRun: String?
    /// The datasets it was trained on.
    public var trainingData: [String]
    /// Metrics measured at training time, by metric name (`accuracy`, `roc_auc`, `rmse`…).
    public var offlineMetrics: [String: Double]
    /// Free-form labels (`team`, `ticket`…).
    public var labels: [String: String]
    /// When this record last changed.
    public var updatedAt: Timestamp

    public init(
        model: String, version: String, stage: Stage, startedAt: Timestamp, trafficShare: Double? = nil,
        updatedAt: Timestamp? = nil
    ) {
        self.model = model
        self.version = version
        self.stage = stage
        self.trafficShare = trafficShare
        self.startedAt = startedAt
        self.updatedAt = updatedAt ?? startedAt
        trainingData = []
        offlineMetrics = [:]
        labels = [:]
    }

    /// Whether it serves (or shadows) traffic at `t`.
    public func isActive(at t: Timestamp) -> Bool {
        stage != .retired && startedAt <= t && endedAt.map { t < $0 } ?? true
    }

    enum CodingKeys: String, CodingKey {
        case model, version, stage, trafficShare = "traffic_share", startedAt = "started_at", endedAt = "ended_at"
        case owner, codeRef = "code_ref", trainingRun = "training_run", trainingData = "training_data"
        case offlineMetrics = "offline_metrics", labels, updatedAt = "updated_at"
    }
}
