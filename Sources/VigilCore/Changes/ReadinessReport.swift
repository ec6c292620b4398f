/// A version's offline metrics (measured at training time) against the same metrics online, to catch
/// train/serve skew: features computed differently in serving, a stale model file, a leak in the
/// offline evaluation.
///
/// A metric with an online interval (proportions by Wilson, ROC AUC by Hanley & McNeil) is `skew` when the
/// offline value lies outside it and differs by more than `tolerance` (absolute); a metric without one when
/// it differs by more than `tolerance` relative to the offline value.
///
/// ```swift
/// let r = try engine.readiness(model: "fraud", version: "v2", offline: ["accuracy": 0.93, "roc_auc": 0.95])
/// r.status   // .skew
/// r.skewed   // ["accuracy"]
/// ```
public struct ReadinessReport: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// Every offline metric agrees with its online value.
        case consistent
        /// Some metric differs: `skewed` names them.
        case skew
        /// Too few labeled predictions online to judge (`min_samples`).
        case insufficientData = "insufficient_data"
    }

    public enum Finding: String, Sendable, Hashable, Codable {
        case consistent, skew
        case insufficientData = "insufficient_data"
        /// The model's task has no such metric online.
        case unknownMetric = "unknown_metric"
    }

    public struct Row: Sendable, Hashable, Codable {
        public var metric: String
        public var offline: Double
        public var online: Double?
        public var n: Int64
        public var lower: Double?
        public var upper: Double?
        /// `online − offline`.
        public var difference: Double?
        public var finding: Finding
    }

    public var model: String
    public var version: String
    public var from: Timestamp?
    public var to: Timestamp?
    public var tolerance: Double
    public var minSamples: Int64
    public var status: Status
    public var skewed: [String]
    public var metrics: [Row]

    enum CodingKeys: String, CodingKey {
        case model, version, from, to, tolerance, minSamples = "min_samples", status, skewed, metrics
    }
}

extension Engine {
    /// Compares `offline` metrics of `version` with their online values over `window`.
    public func readiness(
        model name: String, version: String, offline: [String: Double], window: Window = .cumulative,
        tolerance: Double = 0.02, minSamples: Int64 = 100
    ) throws(QueryError) -> ReadinessReport {
        guard tolerance.isFinite, tolerance >= 0 else {
            throw QueryError(.invalidComparison, "tolerance must be a number ≥ 0, got \(tolerance)")
        }
        // A version recorded before its first prediction has nothing online yet.
        guard let summary = try? modelSummary(name), summary.versions.contains(version) else {
            return ReadinessReport(
                model: name, version: version, tolerance: tolerance, minSamples: minSamples, status: .insufficientData,
                skewed: [],
                metrics: offline.sorted { $0.key < $1.key }.map {
                    .init(metric: $0.key, offline: $0.value, n: 0, finding: .insufficientData)
                })
        }
        let task = summary.task ?? .binary
        let available = Set(MetricCatalog.names(for: task) + summary.customMetrics)
        let known = offline.keys.filter(available.contains).sorted()
        let report = try metrics(
            model: name, window: window, version: version, names: Array(Set(known + ["count"])))
        var rows: [ReadinessReport.Row] = []
        for (metric, value) in offline.sorted(by: { $0.key < $1.key }) {
            guard available.contains(metric) else {
                rows.append(.init(metric: metric, offline: value, n: 0, finding: .unknownMetric))
                continue
            }
            rows.append(Self.readinessRow(metric, offline: value, report, tolerance: tolerance, minSamples: minSamples))
        }
        let skewed = rows.filter { $0.finding == .skew }.map(\.metric)
        let judged = rows.contains { $0.finding == .consistent || $0.finding == .skew }
        return ReadinessReport(
            model: name, version: version, from: report.from, to: report.to, tolerance: tolerance,
            minSamples: minSamples, status: !skewed.isEmpty ? .skew : (judged ? .consistent : .insufficientData),
            skewed: skewed, metrics: rows)
    }

    static func readinessRow(
        _ metric: String, offline: Double, _ report: MetricReport, tolerance: Double, minSamples: Int64
    ) -> ReadinessReport.Row {
        let v = report[metric] ?? MetricValue(nil, n: 0)
        var row = ReadinessReport.Row(
            metric: metric, offline: offline, online: v.value, n: v.n, lower: v.lower, upper: v.upper,
            difference: v.value.map { $0 - offline }, finding: .insufficientData)
        guard let online = v.value, v.n >= minSamples else { return row }
        if metric == "roc_auc", case .binary(let tp, let fp, let tn, let fn)? = report.confusion,
            let variance = DifferenceInterval.hanleyMcNeilVariance((online, tp + fn, fp + tn))
        {
            let half = Normal.z95 * variance.squareRoot()
            (row.lower, row.upper) = (online - half, online + half)
        }
        let differs: Bool
        if let lower = row.lower, let upper = row.upper {
            differs = (offline < lower || offline > upper) && abs(online - offline) > tolerance
        } else {
            differs = abs(online - offline) > tolerance * abs(offline)
        }
        row.finding = differs ? .skew : .consistent
        return row
    }
}
