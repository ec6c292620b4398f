extension Engine {
    /// An SLO's SLI over `[from, to)` (prediction event time), with the sample it stands on.
    ///
    /// - Parameters:
    ///   - now: the evaluation time; freshness is measured up to it.
    ///   - inputs: the reference and rules drift and quality SLIs need; the history pipeline SLIs need.
    public func sample(
        _ slo: SLODefinition, from: Timestamp, to: Timestamp, now: Timestamp, inputs: SLIInputs = SLIInputs()
    ) throws(QueryError) -> SLISample {
        let window = Window.range(from: from, to: to)
        switch slo.sli {
        case .metric(let name):
            if let slice = slo.slice, let metric = SliceMetric(rawValue: name) {
                return try sliceSample(slo, slice: slice, metric: metric, from: from, to: to)
            }
            return try metricSample(name, slo, window)
        case .drift(let column, let statistic):
            guard let reference = inputs.reference else { return SLISample(value: nil, n: 0) }
            let current = try profile(model: slo.model, window: window, version: slo.version).profile
            let rule = inputs.rules?.columns[column] ?? inputs.rules?.outputs[column]
            let isOutput = reference.columns[column] == nil && reference.outputs[column] != nil
            let drift = ColumnDriftAnalysis(
                name: column, reference: isOutput ? reference.outputs[column] : reference.columns[column],
                referenceRows: reference.rows,
                current: isOutput ? current.outputs[column] : current.columns[column], currentRows: current.rows,
                rule: rule, convention: inputs.rules?.convention ?? .vigil
            ).result()
            return SLISample(value: drift.statistic(statistic), n: drift.currentCount)
        case .quality(let column, let measure):
            let current = try profile(model: slo.model, window: window, version: slo.version).profile
            return Self.qualitySample(current, column: column, measure: measure, rules: inputs.rules)
        case .candidateWorse(let metric):
            return try comparisonSample(metric, slo, window)
        case .pipeline(let measure):
            return inputs.pipeline?.sample(measure, from: from, to: to, now: now) ?? SLISample(value: nil, n: 0)
        case .freshness:
            let counts = modelCounts(try modelId(known: slo.model))
            let seconds = counts.lastEvent.map { Double(max(0, now.milliseconds - $0)) / 1000 }
            return SLISample(value: seconds, n: counts.predictions)
        }
    }

    private func metricSample(_ name: String, _ slo: SLODefinition, _ window: Window) throws(QueryError)
        -> SLISample
    {
        let report = try metrics(
            model: slo.model, window: window, version: slo.version, segment: slo.segment,
            names: Array(Set([name, "count", "label_coverage"])))
        let v = report[name]
        return SLISample(
            value: v?.value, n: v?.n ?? 0, lower: v?.lower, upper: v?.upper,
            predictions: report["count"]?.value.map { Int64($0) }, labelCoverage: report["label_coverage"]?.value)
    }

    /// The candidate's improvement over the baseline (positive: better) with its always-valid interval, on
    /// the labels of both versions.
    func comparisonSample(_ name: String, _ slo: SLODefinition, _ window: Window) throws(QueryError) -> SLISample {
        let compared = try comparedMetric(name, slo, window)
        guard let d = compared.difference, let s = compared.sequential else {
            return SLISample(value: nil, n: compared.baseline.n + compared.candidate.n)
        }
        let flip = compared.higherIsBetter ? 1.0 : -1.0
        let (lower, upper) = compared.higherIsBetter ? (s.lower, s.upper) : (-s.upper, -s.lower)
        return SLISample(
            value: flip * d.estimate, n: compared.baseline.n + compared.candidate.n, lower: lower, upper: upper)
    }

    /// One metric of the SLO's candidate (`version`) against its `baseline`, in its segment.
    public func comparedMetric(_ name: String, _ slo: SLODefinition, _ window: Window) throws(QueryError)
        -> VersionComparison.Metric
    {
        guard let candidate = slo.version, let baseline = slo.baseline else {
            throw QueryError(.invalidComparison, "\(slo.sli) needs version and baseline")
        }
        let task = try modelSummary(slo.model).task ?? .binary
        guard let tested = try Self.tested([name], task: task).first else {
            throw QueryError(.invalidComparison, "metric '\(name)' has no comparison test")
        }
        let (b, c) = try reports(
            model: slo.model, window: window, baseline: baseline, candidate: candidate, segment: slo.segment,
            tested: [name])
        return Self.compare(
            name, higherIsBetter: tested.higherIsBetter, b, c, margin: slo.margin, sequence: ConfidenceSequence())
    }

    static func qualitySample(_ p: DataProfile, column: String, measure: SLI.QualityMeasure, rules: RuleSet?)
        -> SLISample
    {
        let rule = rules?.columns[column] ?? rules?.outputs[column]
        let profile = p.columns[column] ?? p.outputs[column]
        let q = QualityReport.check(column, profile, rows: p.rows, rule: rule)
        let present = profile ?? ColumnProfile()
        switch measure {
        case .missingRate: return .proportion(q.missing, of: q.rows)
        case .typeErrorRate: return .proportion(q.typeErrors, of: q.rows)
        case .outOfRangeRate: return .proportion(q.outOfRange ?? 0, of: present.numeric.count)
        case .unseenRate: return .proportion(q.unseen ?? 0, of: present.categorical.count)
        }
    }
}

extension ColumnDrift {
    /// The value of one drift statistic; `nil` where it does not apply to the column's type.
    public func statistic(_ s: DriftThreshold.Statistic) -> Double? {
        switch s {
        case .psi: return psi
        case .jsDistance: return jsDistance
        case .wasserstein: return wasserstein
        case .ksStatistic: return ksStatistic
        case .ksPValue: return ksPValue
        case .chi2PValue: return chi2PValue
        case .zPValue: return zPValue
        }
    }
}
