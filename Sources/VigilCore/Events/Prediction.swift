/// One model output, as served.
///
/// ```swift
/// let p = Prediction(id: "p1", time: try Timestamp(iso8601: "2020-02-01T00:00:00Z"),
///                    model: "taxi-tip", version: "v1", score: .probability(0.63), prediction: .number(1))
/// ```
public struct Prediction: Hashable, Sendable {
    /// Unique per model output; feedback refers to it.
    public var id: String
    /// Event time: when the model served the prediction. Buckets are keyed by it.
    public var time: Timestamp
    public var model: String
    public var version: String
    /// Segment tags (`borough: Queens`): every metric is also kept per tag value.
    public var segments: [String: String]
    public var features: [String: FeatureValue]
    public var score: Score?
    /// The served output; for binary classifiers it defaults to `score >= threshold` when absent.
    public var prediction: Outcome?
    /// A shadow prediction: a version scoring the same input as the served one, under the same `id`. It is
    /// joined with the same label and counted apart: never in the served versions' metrics or SLOs.
    public var shadow: Bool

    public init(
        id: String, time: Timestamp, model: String, version: String = "", segments: [String: String] = [:],
        features: [String: FeatureValue] = [:], score: Score? = nil, prediction: Outcome? = nil, shadow: Bool = false
    ) {
        self.shadow = shadow
        self.id = id
        self.time = time
        self.model = model
        self.version = version
        self.segments = segments
        self.features = features
        self.score = score
        self.prediction = prediction
    }
}
