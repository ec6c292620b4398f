extension Engine {
    /// The metrics a comparison can test, per task, with their direction (`true`: higher is better).
    public static func comparableMetrics(_ task: ModelTask) -> [(name: String, higherIsBetter: Bool)] {
        switch task {
        case .binary:
            return [("accuracy", true), ("precision", true), ("recall", true), ("specificity", true), ("roc_auc", true)]
        case .multiclass: return [("accuracy", true)]
        case .regression: return [("mae", false)]
        }
    }

    /// Candidate against baseline over the same window, overall and (with `segmentKey`) for each of that key's
    /// values: each metric's two values, the difference with its 95 % interval and p-value, a fixed-sample and
    /// an always-valid verdict against `margin`, and the labels still needed to decide.
    ///
    /// ```swift
    /// let c = try engine.compare(model: "fraud", baseline: "v1", candidate: "v2", window: .range(from: a, to: b),
    ///                            segmentKey: "region", margin: 0.01)
    /// c.slices[0].metrics.first { $0.metric == "recall" }?.verdict   // .noWorse
    /// ```
    public func compare(
        model name: String, baseline: String, candidate: String, window: Window = .cumulative,
        segmentKey: String? = nil, metrics names: [String]? = nil, margin: Double = 0.01,
        sequence: ConfidenceSequence = ConfidenceSequence()
    ) throws(QueryError) -> VersionComparison {
        let summary = try modelSummary(name)
        for (role, version) in [("baseline", baseline), ("candidate", candidate)]
        where !summary.versions.contains(version) && !summary.shadowVersions.contains(version) {
            throw QueryError(
                .unknownVersion,
                "\(role): model '\(name)' has no version '\(Self.clipped(version))'; it has \(Self.listed(summary.versions + summary.shadowVersions))")
        }
        guard baseline != candidate else {
            throw QueryError(.invalidComparison, "baseline and candidate are both '\(Self.clipped(baseline))'")
        }
        guard margin.isFinite, margin >= 0, margin < 1 else {
            throw QueryError(.invalidComparison, "margin must be a number from 0 to 1, got \(margin)")
        }
        let task = summary.task ?? .binary
        let tested = try Self.tested(names, task: task)
        var segments: [Segment?] = [nil]
        if let key = segmentKey {
            guard let values = summary.segments[key] else {
                throw QueryError(
                    .invalidComparison,
                    "by: model '\(name)' has no segment '\(Self.clipped(key))'; it has \(Self.listed(summary.segments.keys.sorted()))")
            }
            segments += values.map { Segment(key: key, value: $0) }
        }
        var slices: [VersionComparison.Slice] = []
        var bounds: (Timestamp?, Timestamp?) = (nil, nil)
        for segment in segments {
            let (b, c) = try reports(
                model: name, window: window, baseline: baseline, candidate: candidate, segment: segment,
                tested: tested.map(\.name))
            bounds = (b.from, b.to)
            let compared = tested.map {
                Self.compare($0.name, higherIsBetter: $0.higherIsBetter, b, c, margin: margin, sequence: sequence)
            }
            slices.append(VersionComparison.Slice(segment: segment, metrics: compared))
        }
        return VersionComparison(
            model: name, baseline: baseline, candidate: candidate, from: bounds.0, to: bounds.1, margin: margin,
            slices: slices)
    }

    /// Both versions' reports of the `tested` metrics in one slice (MAE's test also needs RMSE).
    func reports(
        model name: String, window: Window, baseline: String, candidate: String, segment: Segment?, tested: [String]
    ) throws(QueryError) -> (baseline: MetricReport, candidate: MetricReport) {
        let wanted = tested + (tested.contains("mae") ? ["rmse"] : [])
        return (
            try metrics(model: name, window: window, version: baseline, segment: segment, names: wanted),
            try metrics(model: name, window: window, version: candidate, segment: segment, names: wanted)
        )
    }

    /// The asked metrics that have a test, or every one for the task.
    static func tested(_ names: [String]?, task: ModelTask) throws(QueryError) -> [(name: String, higherIsBetter: Bool)] {
        let comparable = comparableMetrics(task)
        guard let names else { return comparable }
        return try names.map { (n) throws(QueryError) in
            guard let found = comparable.first(where: { $0.name == n }) else {
                throw QueryError(
                    .invalidComparison,
                    "metric '\(clipped(n))' has no comparison test for a \(task.rawValue) model; choose from \(comparable.map(\.name).joined(separator: ", "))")
            }
            return found
        }
    }

    /// One metric compared between two reports.
    static func compare(
        _ metric: String, higherIsBetter: Bool, _ b: MetricReport, _ c: MetricReport, margin: Double,
        sequence: ConfidenceSequence
    ) -> VersionComparison.Metric {
        let (bv, cv) = (b[metric] ?? MetricValue(nil, n: 0), c[metric] ?? MetricValue(nil, n: 0))
        var result = VersionComparison.Metric(
            metric: metric, higherIsBetter: higherIsBetter, baseline: .init(value: bv.value, n: bv.n),
            candidate: .init(value: cv.value, n: cv.n), verdict: .undecided)
        guard let d = difference(metric, b, c) else {
            result.note =
                bv.n == 0 || cv.n == 0
                ? "no labeled rows for \(bv.n == 0 ? "the baseline" : "the candidate") in this slice yet"
                : "no interval: \(metric == "roc_auc" ? "a version has labels of one class only" : "undefined value")"
            return result
        }
        result.difference = d
        // Oriented so that positive means the candidate is better.
        func improvement(_ lower: Double, _ upper: Double) -> (Double, Double) {
            higherIsBetter ? (lower, upper) : (-upper, -lower)
        }
        let (lo, hi) = improvement(d.lower, d.upper)
        result.verdict = ComparisonVerdict.decide(lower: lo, upper: hi, margin: margin)
        let labels = bv.n + cv.n
        result.labelsNeeded = ComparisonVerdict.labelsNeeded(
            estimate: higherIsBetter ? d.estimate : -d.estimate, lower: lo, upper: hi, margin: margin, labels: labels)
        let (sl, su) = sequence.interval(d, t: labels)
        let (slo, shi) = improvement(sl, su)
        result.sequential = VersionComparison.Sequential(
            lower: sl, upper: su, verdict: ComparisonVerdict.decide(lower: slo, upper: shi, margin: margin),
            method: "asymptotic confidence sequence (Waudby-Smith et al. 2023)", tunedFor: sequence.tunedFor)
        return result
    }

    /// `candidate − baseline` for a metric with a test; nil when a side has no value.
    static func difference(_ metric: String, _ b: MetricReport, _ c: MetricReport) -> DifferenceInterval? {
        guard let bv = b[metric], let cv = c[metric], let x = bv.value, let y = cv.value else { return nil }
        switch metric {
        case "roc_auc":
            guard case .binary(let tp1, let fp1, let tn1, let fn1)? = c.confusion,
                case .binary(let tp2, let fp2, let tn2, let fn2)? = b.confusion
            else { return nil }
            return DifferenceInterval.aucs(
                candidate: (y, tp1 + fn1, fp1 + tn1), baseline: (x, tp2 + fn2, fp2 + tn2))
        case "mae":
            guard let br = b["rmse"]?.value, let cr = c["rmse"]?.value, bv.n > 1, cv.n > 1 else { return nil }
            // Var(|e|) from the moments: E[e²] − (E|e|)² = rmse² − mae², with n − 1 for the sample variance.
            func meanVariance(_ mae: Double, _ rmse: Double, _ n: Int64) -> Double {
                max(0, rmse * rmse - mae * mae) / Double(n - 1)
            }
            return DifferenceInterval.means(
                candidate: (y, meanVariance(y, cr, cv.n)), baseline: (x, meanVariance(x, br, bv.n)))
        default:
            return DifferenceInterval.proportions(
                candidate: (Int64((y * Double(cv.n)).rounded()), cv.n), baseline: (Int64((x * Double(bv.n)).rounded()), bv.n))
        }
    }
}
