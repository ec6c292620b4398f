import Foundation

/// Why an alert fired, in one answer: where (the worst slices), what moved (drifted columns, with their share of
/// the drift), whether labels are late (which lowers coverage, not quality), and what changed before it began.
public struct AlertExplanation: Sendable, Hashable, Codable {
    /// A drifted column and its share of the summed drift (each column's statistic over its threshold).
    public struct DriftedColumn: Sendable, Hashable, Codable {
        public var column: String
        public var statistic: String
        public var value: Double?
        public var threshold: Double
        public var contribution: Double
    }

    /// The label lag and coverage of the alert's window against the window before it.
    public struct LabelLag: Sendable, Hashable, Codable {
        public var medianSeconds: Double?
        public var baselineMedianSeconds: Double?
        public var coverage: Double?
        public var baselineCoverage: Double?
        /// Labels arrive at least twice as slowly as before (and an hour or more later).
        public var anomalous: Bool
        public var note: String?

        enum CodingKeys: String, CodingKey {
            case medianSeconds = "median_seconds", baselineMedianSeconds = "baseline_median_seconds", coverage
            case baselineCoverage = "baseline_coverage", anomalous, note
        }
    }

    public var alert: String
    public var slo: String
    public var model: String
    /// The window explained: the SLO's window up to when the alert fired (or began), and the one before it.
    public var from: Timestamp
    public var to: Timestamp
    public var baselineFrom: Timestamp
    /// The slices found worse than the rest (discoveries at a 5 % false discovery rate), worst first.
    public var slices: [SliceReport.Finding]
    public var sliceMetric: SliceMetric?
    public var driftedColumns: [DriftedColumn]
    public var labelLag: LabelLag?
    /// The model's changes from a day before the alert began until it fired.
    public var changes: [Change]
    /// The explanation in a few sentences.
    public var summary: [String]

    enum CodingKeys: String, CodingKey {
        case alert, slo, model, from, to, baselineFrom = "baseline_from", slices, sliceMetric = "slice_metric"
        case driftedColumns = "drifted_columns", labelLag = "label_lag", changes, summary
    }
}

extension Engine {
    /// Explains `alert` of `slo`: slices, drift and label lag over the SLO window up to when it fired (against the
    /// window before), and the `changes` given (the caller reads them from the change timeline).
    public func explanation(
        _ alert: Alert, _ slo: SLODefinition, inputs: SLIInputs, changes: [Change], slices limit: Int = 5
    ) -> AlertExplanation {
        let to = alert.firedAt ?? alert.activeSince
        let from = to - slo.window
        let baselineFrom = from - slo.window
        let metric = sliceMetric(slo)
        var slices: [SliceReport.Finding] = []
        if let metric,
            let report = try? self.slices(
                model: slo.model, metric: metric, from: from, to: to, baseline: (baselineFrom, from),
                minSize: max(30, slo.minSamples), limit: limit)
        {
            slices = report.slices.filter(\.discovered)
        }
        let drifted = driftContributions(slo, from: from, to: to, inputs: inputs)
        let lag = labelLag(slo.model, from: from, to: to, baselineFrom: baselineFrom)
        let began = alert.activeSince
        let before = changes.filter { $0.at >= began - AlertContext.changeLookback && $0.at <= to }
        var explanation = AlertExplanation(
            alert: alert.id, slo: slo.name, model: slo.model, from: from, to: to, baselineFrom: baselineFrom,
            slices: slices, sliceMetric: metric, driftedColumns: drifted, labelLag: lag, changes: before, summary: [])
        explanation.summary = Self.sentences(explanation, began: began)
        return explanation
    }

    /// The proportion metric an SLO's slices are ranked by: its own when it is one, else accuracy for a classifier.
    func sliceMetric(_ slo: SLODefinition) -> SliceMetric? {
        guard let m = modelIndex[slo.model], let task = models[m].task, task != .regression else { return nil }
        if case .metric(let name) = slo.sli, let metric = SliceMetric(rawValue: name), metric.applies(to: task) {
            return metric
        }
        return .accuracy
    }

    private func driftContributions(_ slo: SLODefinition, from: Timestamp, to: Timestamp, inputs: SLIInputs)
        -> [AlertExplanation.DriftedColumn]
    {
        let drifted = drifted(slo, from: from, to: to, inputs: inputs)
        let ratios = drifted.map { c in
            c.value.map { abs($0) / max(c.threshold.threshold, .leastNonzeroMagnitude) } ?? 0
        }
        let sum = ratios.reduce(0, +)
        return zip(drifted, ratios).map { c, ratio in
            AlertExplanation.DriftedColumn(
                column: c.column, statistic: c.threshold.statistic.rawValue, value: c.value,
                threshold: c.threshold.threshold, contribution: sum > 0 ? ratio / sum : 0)
        }
    }

    private func labelLag(_ model: String, from: Timestamp, to: Timestamp, baselineFrom: Timestamp)
        -> AlertExplanation.LabelLag?
    {
        let names = ["label_lag_p50", "label_coverage"]
        guard let now = try? metrics(model: model, window: .range(from: from, to: to), names: names),
            let before = try? metrics(model: model, window: .range(from: baselineFrom, to: from), names: names)
        else { return nil }
        let median = now["label_lag_p50"]?.value
        let usual = before["label_lag_p50"]?.value
        var lag = AlertExplanation.LabelLag(
            medianSeconds: median, baselineMedianSeconds: usual, coverage: now["label_coverage"]?.value,
            baselineCoverage: before["label_coverage"]?.value, anomalous: false)
        if let median, let usual, median >= 2 * usual, median - usual >= 3600 {
            lag.anomalous = true
            lag.note =
                "labels arrive slower than usual (median \(DurationText.format(seconds: median)) against \(DurationText.format(seconds: usual))): coverage falls, which is not a drop in quality"
        }
        return lag
    }

    private static func sentences(_ e: AlertExplanation, began: Timestamp) -> [String] {
        var out: [String] = []
        if let top = e.slices.first, let metric = e.sliceMetric {
            out.append(
                "worst slice: \(top.slice) — \(metric.rawValue) \(SLOEvaluator.format(top.metric.value ?? 0)) against \(SLOEvaluator.format(top.rest.value ?? 0)) elsewhere (n \(top.metric.n), q \(String(format: "%.2g", top.qValue))), \(Int((top.impact * 100).rounded()))% of the \(metric.badEvents)"
            )
        } else if e.sliceMetric != nil {
            out.append("no slice is worse than the rest at a 5% false discovery rate: the whole traffic degraded")
        }
        if !e.driftedColumns.isEmpty {
            out.append(
                "drifted: "
                    + e.driftedColumns.prefix(3).map {
                        "\($0.column) (\($0.statistic) \(SLOEvaluator.format($0.value ?? 0)), \(Int(($0.contribution * 100).rounded()))% of the drift)"
                    }.joined(separator: ", "))
        }
        if let note = e.labelLag?.note { out.append(note) }
        for c in e.changes.prefix(3) {
            let hours = Double(began.milliseconds - c.at.milliseconds) / 3_600_000
            let when = hours >= 0 ? "\(SLOEvaluator.format(hours)) h before the alert began" : "after it began"
            out.append("change \(when): \(c.summary)")
        }
        return out
    }
}
