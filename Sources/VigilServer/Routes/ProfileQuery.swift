import VigilCore

/// The parameters of the drift, quality and estimated-performance queries: `window` (counting back from
/// `to`, default now) or `from`/`to`, `version`, and (estimated performance only) `segment`.
struct ProfileQuery: Sendable {
    var window: Window = .cumulative
    var version: String?
    var segment: Segment?

    init(_ query: [String: String], now: Timestamp, allowSegment: Bool = false) throws(APIError) {
        let known: Set<String> =
            allowSegment ? ["window", "from", "to", "version", "segment"] : ["window", "from", "to", "version"]
        try QueryParameters.requireKnown(query, known)
        // The metric query's rules for window/from/to, without its other parameters.
        let metric = try MetricQuery(
            query.filter { ["window", "from", "to", "version", "segment"].contains($0.key) }, now: now)
        window = metric.window
        version = metric.version
        segment = metric.segment
    }

    var isWindowGiven: Bool { window != .cumulative }
}
