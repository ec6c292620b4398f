/// The slices of a model's traffic where a metric is worst, tested against the rest of the traffic.
public struct SliceReport: Sendable, Hashable, Codable {
    /// One candidate slice: a column's category or bin, or a conjunction of two.
    public struct Finding: Sendable, Hashable, Codable {
        /// The slice's conditions joined by ` & `.
        public var slice: String
        public var conditions: [SliceCondition]
        /// Predictions in the slice over the window (labeled or not).
        public var predictions: Int64
        /// The metric in the slice, with its sample size and 95 % Wilson interval.
        public var metric: MetricValue
        /// The metric over the rest of the traffic, and the slice's difference from it.
        public var rest: MetricValue
        public var difference: Double?
        /// Two-proportion z statistic (pooled) of slice against rest, and its one-sided p-value (slice worse).
        public var z: Double?
        public var pValue: Double
        /// The Benjamini–Hochberg adjusted p-value over every slice tested.
        public var qValue: Double
        /// Whether the slice is worse than the rest at the report's false discovery rate.
        public var discovered: Bool
        /// The slice's bad events (see ``SliceMetric``).
        public var badEvents: Int64
        /// The share of all bad events the slice explains: its bad events beyond the rest's rate, over all bad events.
        public var impact: Double
        /// The same slice over the baseline window, and the change since.
        public var baseline: MetricValue?
        public var baselineDifference: Double?

        enum CodingKeys: String, CodingKey {
            case slice, conditions, predictions, metric, rest, difference, z
            case pValue = "p_value", qValue = "q_value", discovered, badEvents = "bad_events", impact, baseline
            case baselineDifference = "baseline_difference"
        }
    }

    public var model: String
    public var metric: SliceMetric
    /// The window merged (whole hours, or whole days past the hourly retention), and the baseline's.
    public var from: Timestamp
    public var to: Timestamp
    public var baselineFrom: Timestamp?
    public var baselineTo: Timestamp?
    /// The metric over all the window's traffic.
    public var overall: MetricValue
    public var badEvents: Int64
    /// Slices tested (those with at least `minSize` in the metric's denominator and some traffic outside).
    public var tested: Int
    public var discoveries: Int
    public var fdr: Double
    public var minSize: Int64
    /// Discoveries first (largest shortfall first), then the other tested slices by p-value.
    public var slices: [Finding]

    enum CodingKeys: String, CodingKey {
        case model, metric, from, to, baselineFrom = "baseline_from", baselineTo = "baseline_to", overall
        case badEvents = "bad_events", tested, discoveries, fdr, minSize = "min_size", slices
    }
}
