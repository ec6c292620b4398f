import VigilCore

/// The parameters of the drift, quality and estimated-performance queries: `window` (counting back from
/// `to`, default now) or `from`/`to`, `version`, and (estimated performance only) `segment`.
struct ProfileQuery: Sendable {
    var window: Window = .cumulative
    var version: String?
    var segment: Segment?
    /// Drift queries: how the statistics are computed (`nil`: as the model's rules say).
    var convention: DriftConvention?

    init(_ query: [String: String], now: Timestamp, allowSegment: Bool = false, allowConvention: Bool = false)
        throws(APIError)
    {
        let known = Set(["window", "from", "to", "version"] + (allowSegment ? ["segment"] : []))
            .union(allowConvention ? ["convention"] : [])
        try QueryParameters.requireKnown(query, known)
        convention = try QueryParameters.choice(query, "convention", as: DriftConvention.self)
        // The metric query's rules for window/from/to, without its other parameters.
        let metric = try MetricQuery(
            query.filter { ["window", "from", "to", "version", "segment"].contains($0.key) }, now: now)
        window = metric.window
        version = metric.version
        segment = metric.segment
    }

    var isWindowGiven: Bool { window != .cumulative }
}
