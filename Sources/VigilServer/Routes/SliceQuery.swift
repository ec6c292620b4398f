import VigilCore

/// The parameters of `GET /v1/models/{model}/slices`.
struct SliceQuery: Sendable {
    static let known: Set<String> = [
        "metric", "window", "from", "to", "baseline_from", "baseline_to", "min_size", "fdr", "limit",
    ]
    /// `GET …/slices/suggestions` takes `min_share` instead of a baseline.
    static let suggestionsKnown: Set<String> = known.subtracting(["baseline_from", "baseline_to"]).union(["min_share"])
    /// The window queried before any event when none is given: all time (it plans no buckets).
    static let allTime = (from: Timestamp(milliseconds: -(1 << 52)), to: Timestamp(milliseconds: 1 << 52))

    /// The window given (`window`, or `from` and `to`); without one, the days the data spans.
    var given: (from: Timestamp, to: Timestamp)?
    var metric = SliceMetric.accuracy
    var baseline: (from: Timestamp, to: Timestamp)?
    var minSize: Int64 = 30
    var fdr = 0.05
    var limit = 20
    var minShare = 0.05

    init(_ query: [String: String], now: Timestamp, suggestions: Bool = false) throws(APIError) {
        try QueryParameters.requireKnown(query, suggestions ? Self.suggestionsKnown : Self.known)
        metric = try QueryParameters.choice(query, "metric", as: SliceMetric.self) ?? metric
        let window = try MetricQuery(query.filter { ["window", "from", "to"].contains($0.key) }, now: now).window
        switch window {
        case .cumulative: break
        case .last(let d, let now): given = (now - d, now)
        case .range(let a, let b): given = (a, b)
        }
        switch (
            try MetricQuery.time(query["baseline_from"], "baseline_from"),
            try MetricQuery.time(query["baseline_to"], "baseline_to")
        ) {
        case (nil, nil): break
        case let (a?, b?):
            guard a <= b else {
                throw .badRequest("invalid_window", "'baseline_from' (\(a)) is after 'baseline_to' (\(b))")
            }
            baseline = (a, b)
        default: throw .badRequest("invalid_window", "give both 'baseline_from' and 'baseline_to', or neither")
        }
        minSize = try Self.number(query["min_size"], "min_size", 1...1_000_000_000) ?? minSize
        limit = Int(try Self.number(query["limit"], "limit", 1...1000) ?? Int64(limit))
        if let text = query["fdr"] {
            guard let q = Double(text), q > 0, q < 1 else {
                throw .badRequest(
                    "invalid_value", "fdr: expected a false discovery rate between 0 and 1, got '\(text.prefix(32))'")
            }
            fdr = q
        }
        if let text = query["min_share"] {
            guard let s = Double(text), s >= 0, s <= 1 else {
                throw .badRequest(
                    "invalid_value", "min_share: expected a share of predictions from 0 to 1, got '\(text.prefix(32))'")
            }
            minShare = s
        }
    }

    /// The window to query: the one given, or the days the engine's data spans (``Engine/dataDays``).
    func window(_ engine: Engine) -> (from: Timestamp, to: Timestamp) {
        given ?? engine.dataDays ?? Self.allTime
    }

    private static func number(_ text: String?, _ name: String, _ range: ClosedRange<Int64>) throws(APIError) -> Int64?
    {
        guard let text else { return nil }
        guard let n = Int64(text), range.contains(n) else {
            throw .badRequest(
                "invalid_value", "\(name): expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }
}
