import Foundation
import VigilCore

/// The result of `vigil replay`: per model, the selected window overall and by version or segment,
/// an optional calendar series, the join's counters and every rejected row.
struct ReplayReport {
    struct ModelSection {
        var model: ModelSummary
        var overall: MetricReport
        /// Label → report, e.g. `version=v1` or `payment_type=cash`.
        var groups: [(dimension: String, key: String, report: MetricReport)] = []
        var series: [MetricReport] = []
        /// With `--reference`: the window's drift and data quality.
        var drift: DriftReport?
        var quality: QualityReport?
        /// Binary models: realized, expected (CBPE) and blended performance over the window, as the server's
        /// `estimated-performance` gives it.
        var estimated: EstimatedPerformance?
    }

    var inputs: [String: JSONValue]
    var statistics: JoinStatistics
    var rejected: [RowError]
    var models: [ModelSection]

    // MARK: - JSON

    func json() -> JSONValue {
        var models: [String: JSONValue] = [:]
        for section in self.models {
            var m: [String: JSONValue] = [
                "task": section.model.task.map { .string($0.rawValue) } ?? .null,
                "versions": .array(section.model.versions.map(JSONValue.string)),
                "overall": SliceReport.json(section.overall),
            ]
            if !section.model.classes.isEmpty { m["classes"] = .array(section.model.classes.map(JSONValue.string)) }
            var groups: [String: [String: JSONValue]] = [:]
            for g in section.groups { groups["by_" + g.dimension, default: [:]][g.key] = SliceReport.json(g.report) }
            for (k, v) in groups { m[k] = .object(v) }
            if !section.series.isEmpty { m["series"] = .array(section.series.map(SliceReport.json)) }
            if let drift = section.drift { m["drift"] = JSONValue(encoding: drift) }
            if let quality = section.quality { m["quality"] = JSONValue(encoding: quality) }
            if let estimated = section.estimated { m["estimated_performance"] = JSONValue(encoding: estimated) }
            models[section.model.name] = .object(m)
        }
        return .object([
            "inputs": .object(inputs),
            "join": statisticsJSON,
            "rejected_rows": JSONValue(rejected.count),
            "rejected": .array(
                rejected.prefix(1000).map {
                    .object([
                        "file": .string($0.file), "line": JSONValue($0.line), "field": .string($0.field),
                        "error": .string($0.message),
                    ])
                }),
            "models": .object(models),
        ])
    }

    private var statisticsJSON: JSONValue {
        let s = statistics
        let pairs: [(String, Int)] = [
            ("predictions_accepted", s.predictionsAccepted), ("duplicate_predictions", s.duplicatePredictions),
            ("conflicting_predictions", s.conflictingPredictions), ("feedback_accepted", s.feedbackAccepted),
            ("labels_applied", s.labelsApplied), ("corrections", s.corrections),
            ("duplicate_feedback", s.duplicateFeedback), ("orphans_held", s.orphansHeld),
            ("orphans_matched", s.orphansMatched), ("orphans_expired", s.orphansExpired),
            ("orphans_dropped", s.orphansDropped), ("orphans_invalid", s.orphansInvalid),
            ("orphans_pending", s.orphansPending), ("pending_predictions", s.pendingPredictions),
            ("evicted", s.evicted), ("evicted_never_labeled", s.evictedNeverLabeled),
        ]
        return .object(Dictionary(uniqueKeysWithValues: pairs.map { ($0.0, JSONValue($0.1)) }))
    }

    // MARK: - Table and CSV

    /// Rows of (model, slice, from, to, metric values), shared by the table and CSV renderers.
    func rows(metrics wanted: [String]?) -> (columns: [String], rows: [[String]]) {
        var names: [String] = []
        var rows: [[String]] = []
        for section in models {
            let cols = wanted ?? section.overall.names
            for n in cols where !names.contains(n) { names.append(n) }
        }
        func row(_ model: String, _ slice: String, _ r: MetricReport) -> [String] {
            [model, slice, r.from?.iso8601 ?? "", r.to?.iso8601 ?? ""]
                + names.map { n in r.values[n]?.value.map { Self.format($0) } ?? "" }
        }
        for section in models {
            let name = section.model.name
            rows.append(row(name, "overall", section.overall))
            for g in section.groups { rows.append(row(name, "\(g.dimension)=\(g.key)", g.report)) }
            for s in section.series { rows.append(row(name, "step", s)) }
        }
        return (["model", "slice", "from", "to"] + names, rows)
    }

    static func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }

    func csv(metrics: [String]?) -> String {
        let (columns, rows) = self.rows(metrics: metrics)
        return ([columns] + rows).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    func table(metrics: [String]?) -> String {
        let (columns, rows) = self.rows(metrics: metrics)
        // Durations (label lags) read as durations in tables: 24.6 h, not 88462.
        let seconds = Set(columns.indices.filter { MetricCatalog.unit(of: columns[$0]) == "seconds" })
        let cells = rows.map { row in
            row.enumerated().map { i, cell in
                seconds.contains(i) ? Double(cell).map { DurationText.format(seconds: $0) } ?? cell : Self.shorten(cell)
            }
        }
        var out = TextTable.lines([columns] + cells, underline: true)
        let s = statistics
        out.append("")
        out.append(
            "join: \(s.predictionsAccepted) predictions, \(s.labelsApplied) labeled, \(s.corrections) corrections, "
                + "\(s.duplicateFeedback) duplicate feedback, \(s.orphansHeld) orphans (\(s.orphansPending) still waiting), "
                + "\(rejected.count) rejected rows")
        for section in models { out += estimateLines(section) + profileLines(section) }
        return out.joined(separator: "\n") + "\n"
    }

    /// The estimated performance of a binary model whose window has unlabeled predictions, in one line each.
    func estimateLines(_ section: ModelSection) -> [String] {
        guard let e = section.estimated, e.estimated > 0, let blended = e.blended else { return [] }
        func interval(_ i: EstimatedPerformance.Interval?) -> String {
            guard let i else { return "-" }
            return "\(String(format4: i.value)) [\(String(format4: i.lower)), \(String(format4: i.upper))]"
        }
        return [
            "",
            "estimated performance of \(section.model.name) (CBPE: \(e.labeled) labeled, \(e.estimated) unlabeled "
                + "estimated from their scores, \(e.unestimable) without a score):",
            "  accuracy \(interval(blended.accuracy)), precision \(interval(blended.precision)), "
                + "recall \(interval(blended.recall))",
        ]
    }

    /// Four significant decimals in tables; JSON and CSV keep full precision.
    private static func shorten(_ cell: String) -> String {
        guard cell.contains("."), let v = Double(cell) else { return cell }
        return String(format4: v)
    }
}

extension String {
    init(format4 v: Double) {
        let scaled = (v * 10_000).rounded() / 10_000
        self = String(scaled)
    }

    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
