/// Candidate against baseline, metric by metric, overall and per segment value, over one period.
public struct VersionComparison: Sendable, Hashable, Codable {
    /// One version's value of a metric and the labels it stands on.
    public struct Side: Sendable, Hashable, Codable {
        public var value: Double?
        public var n: Int64
    }

    /// The always-valid reading of the same difference.
    public struct Sequential: Sendable, Hashable, Codable {
        public var lower: Double
        public var upper: Double
        public var verdict: ComparisonVerdict
        public var method: String
        /// Labels (both versions) at which the sequence is tightest.
        public var tunedFor: Int64

        enum CodingKeys: String, CodingKey {
            case lower, upper, verdict, method, tunedFor = "tuned_for"
        }
    }

    public struct Metric: Sendable, Hashable, Codable {
        public var metric: String
        public var higherIsBetter: Bool
        public var baseline: Side
        public var candidate: Side
        /// `candidate − baseline` with its fixed-sample 95 % interval and p-value.
        public var difference: DifferenceInterval?
        /// From the fixed-sample interval: valid when looked at once, at a sample size chosen in advance.
        public var verdict: ComparisonVerdict
        /// Labels still to come (both versions) before an undecided verdict decides, if the difference holds.
        public var labelsNeeded: Int64?
        /// From the confidence sequence: valid however often it is looked at.
        public var sequential: Sequential?
        /// Why there is no interval (no labels yet for a version, one class only…).
        public var note: String?

        enum CodingKeys: String, CodingKey {
            case metric, higherIsBetter = "higher_is_better", baseline, candidate, difference, verdict
            case labelsNeeded = "labels_needed", sequential, note
        }
    }

    /// The comparison on all traffic (`segment` nil) or on one segment value.
    public struct Slice: Sendable, Hashable, Codable {
        public var segment: Segment?
        public var metrics: [Metric]
    }

    public var model: String
    public var baseline: String
    public var candidate: String
    public var from: Timestamp?
    public var to: Timestamp?
    /// How much worse the candidate may be and still be `no_worse`, in the metric's units.
    public var margin: Double
    public var slices: [Slice]
}
