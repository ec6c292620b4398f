/// Outputs a person or a downstream check marked as bad: listed predictions, or every prediction of a model
/// (optionally of one version and segment) over a time range. `blame` weighs them against the rest.
///
/// ```json
/// {"model": "taxi-tip", "prediction_ids": ["p-1", "p-2"], "reason": "refunds"}
/// {"model": "taxi-tip", "from": "2026-11-02T00:00:00Z", "to": "2026-11-03T00:00:00Z", "segment": "region:apac"}
/// ```
public struct OutputFlag: Sendable, Hashable, Codable {
    /// A listed prediction, with the version that served it and when (from the join when flagged).
    public struct Prediction: Sendable, Hashable, Codable {
        public var id: String
        public var version: String
        public var time: Timestamp

        public init(id: String, version: String, time: Timestamp) {
            self.id = id
            self.version = version
            self.time = time
        }
    }

    public var id: Int64?
    public var model: String
    public var predictions: [Prediction]
    /// A range flag: `[from, to)` of prediction time, narrowed to a version and a segment when given.
    public var from: Timestamp?
    public var to: Timestamp?
    public var version: String?
    public var segment: Segment?
    public var reason: String?
    public var flaggedAt: Timestamp

    public init(
        model: String, predictions: [Prediction] = [], from: Timestamp? = nil, to: Timestamp? = nil,
        version: String? = nil, segment: Segment? = nil, reason: String? = nil, flaggedAt: Timestamp
    ) {
        self.model = model
        self.predictions = predictions
        self.from = from
        self.to = to
        self.version = version
        self.segment = segment
        self.reason = reason
        self.flaggedAt = flaggedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, model, predictions, from, to, version, segment, reason, flaggedAt = "flagged_at"
    }

    /// The part of the flag's range inside `[from, to)`, if any.
    public func overlap(from a: Timestamp, to b: Timestamp) -> (from: Timestamp, to: Timestamp)? {
        guard let f = from, let t = to else { return nil }
        let lo = max(f, a)
        let hi = min(t, b)
        return lo < hi ? (lo, hi) : nil
    }
}
