/// What an SLO measures: a metric, a drift statistic, a data-quality rate, or freshness.
///
/// Written as a string:
///
/// | SLI | meaning | kind |
/// |---|---|---|
/// | `accuracy`, `recall`, `label_coverage`, `precision.cat`, a custom metric | a metric over labeled predictions | ratio for proportions |
/// | `drift.trip_distance.psi` | a drift statistic of a column against the reference | threshold |
/// | `quality.passenger_count.missing_rate` | a rate of bad rows in a column | ratio |
/// | `freshness` | seconds since the model's last prediction | threshold |
/// | `candidate_worse.recall` | the candidate version's improvement over the baseline, always-valid test | comparison |
/// | `dataset.freshness`, `job.cadence`, `job.success_rate` … | a pipeline measure (``PipelineMeasure``) | by measure |
public enum SLI: Sendable, Hashable, StringRepresented {
    case metric(String)
    case drift(column: String, statistic: DriftThreshold.Statistic)
    case quality(column: String, measure: QualityMeasure)
    case freshness
    /// The SLO's `version` (the candidate) against its `baseline` on a metric with a comparison test: the
    /// value is the improvement (positive: the candidate is better) and the objective `>= −margin`.
    case candidateWorse(metric: String)
    /// A measure of a job, dataset or gate of the pipeline, named by the SLO's `job`, `dataset` or `gate`.
    case pipeline(PipelineMeasure)

    /// Data-quality rates of a column, each a fraction of rows (or of present values) that are bad.
    public enum QualityMeasure: String, Sendable, Hashable, CaseIterable {
        /// Missing (absent or null) rows over all rows.
        case missingRate = "missing_rate"
        /// Values of the wrong type over all rows.
        case typeErrorRate = "type_error_rate"
        /// Numbers outside the rule's range over present numbers.
        case outOfRangeRate = "out_of_range_rate"
        /// Categories outside the rule's set over present categories.
        case unseenRate = "unseen_rate"
    }

    /// Metrics that are proportions of counted events, so they have an error budget and a Wilson interval.
    static let proportions: Set<String> = [
        "accuracy", "precision", "recall", "specificity", "label_coverage", "positive_rate_label",
        "positive_rate_prediction",
    ]

    public init(parsing text: String) throws(SLOError) {
        if let measure = PipelineMeasure(rawValue: text) {
            self = .pipeline(measure)
            return
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch parts.first {
        case "job", "dataset", "gate":
            throw Self.invalid(
                text, "pipeline SLIs are \(PipelineMeasure.allCases.map(\.rawValue).joined(separator: ", "))")
        case "freshness" where parts.count == 1:
            self = .freshness
        case "candidate_worse":
            guard parts.count >= 2, !parts[1...].joined(separator: ".").isEmpty else {
                throw Self.invalid(text, "comparison SLIs are candidate_worse.METRIC, e.g. candidate_worse.recall")
            }
            self = .candidateWorse(metric: parts[1...].joined(separator: "."))
        case "drift":
            guard parts.count >= 3, let statistic = DriftThreshold.Statistic(rawValue: parts.last!) else {
                throw Self.invalid(
                    text,
                    "drift SLIs are drift.COLUMN.STATISTIC with a statistic of \(DriftThreshold.Statistic.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            self = .drift(column: parts[1..<(parts.count - 1)].joined(separator: "."), statistic: statistic)
        case "quality":
            guard parts.count >= 3, let measure = QualityMeasure(rawValue: parts.last!) else {
                throw Self.invalid(
                    text,
                    "quality SLIs are quality.COLUMN.MEASURE with a measure of \(QualityMeasure.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            self = .quality(column: parts[1..<(parts.count - 1)].joined(separator: "."), measure: measure)
        default:
            guard !text.isEmpty, !text.contains(where: \.isWhitespace) else {
                throw Self.invalid(
                    text,
                    "an SLI is a metric name (accuracy, recall, a custom metric), drift.COLUMN.STATISTIC, quality.COLUMN.MEASURE, freshness or candidate_worse.METRIC"
                )
            }
            self = .metric(text)
        }
    }

    private static func invalid(_ text: String, _ why: String) -> SLOError {
        SLOError(.invalidSLI, field: "sli", "sli '\(text)': \(why)")
    }

    /// Pipeline SLIs read the pipeline's history, not the model's buckets.
    public var readsNoBuckets: Bool {
        if case .pipeline = self { return true }
        return false
    }

    /// Ratio SLIs count good and bad events, so they get an error budget and burn-rate alerts.
    public var isRatio: Bool {
        switch self {
        case .metric(let name):
            if Self.proportions.contains(name) { return true }
            // Multiclass per-class proportions: precision.CLASS, recall.CLASS.
            return name.hasPrefix("precision.") || name.hasPrefix("recall.")
        case .quality: return true
        case .pipeline(let measure): return measure.isRatio
        case .drift, .freshness, .candidateWorse: return false
        }
    }

    /// Seconds since something last happened (a prediction, a run, a heartbeat): judged on the newest event
    /// however few there were, so `min_samples` does not apply.
    public var isStaleness: Bool {
        switch self {
        case .freshness: return true
        case .pipeline(let measure): return measure.isStaleness
        default: return false
        }
    }

    /// The measure when the SLI is about the pipeline rather than a model.
    public var pipelineMeasure: PipelineMeasure? {
        if case .pipeline(let measure) = self { return measure }
        return nil
    }

    /// Metrics over labeled predictions need labels, so their label coverage matters.
    public var needsLabels: Bool {
        if case .candidateWorse = self { return true }
        guard case .metric(let name) = self else { return false }
        return !["count", "labeled_count", "label_coverage"].contains(name)
    }

    public var description: String {
        switch self {
        case .metric(let name): return name
        case .drift(let column, let statistic): return "drift.\(column).\(statistic.rawValue)"
        case .quality(let column, let measure): return "quality.\(column).\(measure.rawValue)"
        case .freshness: return "freshness"
        case .candidateWorse(let metric): return "candidate_worse.\(metric)"
        case .pipeline(let measure): return measure.rawValue
        }
    }
}
