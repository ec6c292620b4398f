import VigilCore

/// The parameters shared by `/compare` and `/canary`: the two versions (by default the model's primary and
/// its one canary deployment), the period, the segment key, the metrics, the margin and the sequence's tuning.
struct ComparisonRequest: Sendable {
    static let parameters: Set<String> = [
        "baseline", "candidate", "from", "to", "window", "by", "metrics", "margin", "tuned_for",
    ]

    var baseline: String
    var candidate: String
    var window: Window
    var segmentKey: String?
    var metrics: [String]?
    var margin: Double
    var sequence: ConfidenceSequence

    init(_ query: [String: String], model: String, now: Timestamp, deployments: [Deployment]) throws(APIError) {
        baseline = try Self.version(query["baseline"], "baseline", default: Self.only(deployments, .primary))
        candidate = try Self.version(query["candidate"], "candidate", default: Self.only(deployments, .canary))
        window = try MetricQuery(query.filter { ["window", "from", "to"].contains($0.key) }, now: now).window
        if let by = query["by"] {
            guard by.hasPrefix("segment."), by.count > "segment.".count else {
                throw .badRequest("invalid_comparison", "by: expected segment.KEY, e.g. by=segment.region")
            }
            segmentKey = String(by.dropFirst("segment.".count))
        }
        margin = try Self.number(query["margin"], "margin", default: 0.01)
        let tunedFor = try Self.number(query["tuned_for"], "tuned_for", default: 10_000)
        guard tunedFor >= 1, tunedFor <= 1e12, tunedFor == tunedFor.rounded() else {
            throw .badRequest("invalid_comparison", "tuned_for: expected a whole number of labels from 1")
        }
        sequence = ConfidenceSequence(tunedFor: Int64(tunedFor))
        metrics = query["metrics"].map { $0.split(separator: ",").map(String.init) }
    }

    func compare(_ engine: Engine, model: String) throws(QueryError) -> VersionComparison {
        try engine.compare(
            model: model, baseline: baseline, candidate: candidate, window: window, segmentKey: segmentKey,
            metrics: metrics, margin: margin, sequence: sequence)
    }

    /// The version of the only deployment in `stage`, if there is exactly one.
    static func only(_ deployments: [Deployment], _ stage: Deployment.Stage) -> String? {
        let found = deployments.filter { $0.stage == stage }
        return found.count == 1 ? found[0].version : nil
    }

    static func version(_ given: String?, _ name: String, default fallback: String?) throws(APIError) -> String {
        if let given, !given.isEmpty { return given }
        if let fallback { return fallback }
        let stage = name == "baseline" ? "primary" : "canary"
        throw .badRequest(
            "missing_parameter",
            "\(name): give the version \(name == "baseline" ? "to compare against, e.g. baseline=v1" : "under test, e.g. candidate=v2"), or record exactly one \(stage) deployment")
    }

    static func number(_ text: String?, _ name: String, default value: Double) throws(APIError) -> Double {
        guard let text else { return value }
        guard let n = Double(text), n.isFinite else {
            throw .badRequest("invalid_comparison", "\(name): expected a number, got '\(text.prefix(64))'")
        }
        return n
    }
}
