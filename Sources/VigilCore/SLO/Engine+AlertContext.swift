extension Engine {
    /// The context of an alert on `slo`: drifted columns, worst segments and new versions over the SLO
    /// window of `status`.
    public func alertContext(_ slo: SLODefinition, _ status: SLOStatus, inputs: SLIInputs, limit: Int = 3)
        -> AlertContext
    {
        var context = AlertContext(
            sli: status.value, objective: status.objective, window: status.window,
            budgetRemaining: status.budget?.remainingFraction, burnRates: status.burnRates,
            topDriftedColumns: driftedColumns(slo, status, inputs, limit),
            worstSegments: worstSegments(slo, status, inputs, limit),
            recentVersions: versionsSeen(slo.model).filter { $0.firstSeen >= status.from && $0.firstSeen < status.at })
        context.recommendation = recommendation(slo, status)
        context.worstSlices = worstSlices(slo, status, limit)
        return context
    }

    /// For a candidate shown worse: roll back to the baseline, with the evidence.
    func recommendation(_ slo: SLODefinition, _ status: SLOStatus) -> String? {
        guard case .candidateWorse(let metric) = slo.sli, let baseline = slo.baseline, let candidate = slo.version,
            let value = status.value.value, let upper = status.value.upper, upper < 0
        else { return nil }
        let scope = slo.segment.map { " in \($0.key):\($0.value)" } ?? ""
        let interval =
            status.value.lower.map {
                " (always-valid 95% interval [\(SLOEvaluator.format($0)), \(SLOEvaluator.format(upper))])"
            } ?? ""
        return
            "roll back to \(baseline): \(candidate) is worse than \(baseline) on \(metric)\(scope) by \(SLOEvaluator.format(-value))\(interval) over the last \(status.window)"
    }

    private func driftedColumns(_ slo: SLODefinition, _ status: SLOStatus, _ inputs: SLIInputs, _ limit: Int)
        -> [AlertContext.DriftedColumn]
    {
        drifted(slo, from: status.from, to: status.at, inputs: inputs).prefix(limit).map {
            AlertContext.DriftedColumn(
                column: $0.column, statistic: $0.threshold.statistic.rawValue, value: $0.value,
                threshold: $0.threshold.threshold)
        }
    }

    /// The columns (and outputs) of the SLO's model drifted against its reference over `[from, to)`, most
    /// drifted first; none without a reference.
    func drifted(_ slo: SLODefinition, from: Timestamp, to: Timestamp, inputs: SLIInputs) -> [ColumnDrift] {
        guard let reference = inputs.reference,
            let current = try? profile(model: slo.model, window: .range(from: from, to: to), version: slo.version)
        else { return [] }
        let report = DriftReport(reference: reference, current: current.profile, rules: inputs.rules)
        return (report.columns + report.outputs).filter { $0.verdict == .drift }.sorted(by: DriftReport.rankedBefore)
    }

    /// Metric SLIs only: each segment value's SLI, worst first, among those with `min_samples`.
    private func worstSegments(_ slo: SLODefinition, _ status: SLOStatus, _ inputs: SLIInputs, _ limit: Int)
        -> [AlertContext.SegmentValue]
    {
        guard case .metric = slo.sli, slo.segment == nil else { return [] }
        var found: [AlertContext.SegmentValue] = []
        for segment in segments(model: slo.model) {
            var scoped = slo
            scoped.segment = segment
            guard let s = try? sample(scoped, from: status.from, to: status.at, now: status.at, inputs: inputs),
                let v = s.value, s.n >= slo.minSamples
            else { continue }
            found.append(AlertContext.SegmentValue(segment: segment.description, value: v, n: s.n))
        }
        let worseFirst = slo.objective.comparison == .atLeast
        return Array(
            found.sorted { worseFirst ? ($0.value ?? 0) < ($1.value ?? 0) : ($0.value ?? 0) > ($1.value ?? 0) }
                .prefix(limit))
    }

    /// Metric SLIs of a whole model only: the slices discovered worse than the rest over the window.
    private func worstSlices(_ slo: SLODefinition, _ status: SLOStatus, _ limit: Int) -> [AlertContext.WorstSlice] {
        guard case .metric = slo.sli, slo.segment == nil, let metric = sliceMetric(slo),
            let report = try? slices(
                model: slo.model, metric: metric, from: status.from, to: status.at, minSize: max(30, slo.minSamples),
                limit: limit)
        else { return [] }
        return report.slices.filter(\.discovered).map {
            AlertContext.WorstSlice(
                slice: $0.slice, value: $0.metric.value, rest: $0.rest.value, n: $0.metric.n, impact: $0.impact)
        }
    }

    /// When each version of a model first served, to the hour while hour buckets are kept.
    public func versionsSeen(_ model: String) -> [AlertContext.VersionSeen] {
        guard let m = modelIndex[model] else { return [] }
        var first: [String: Int64] = [:]
        for (s, key) in seriesKeys.enumerated()
        where key.model == m && key.segment == nil && Self.servedVersion(ofShadow: key.version) == nil {
            guard let day = shards.compactMap({ $0.series[s].days.slots.keys.min() }).min() else { continue }
            var t = day * Resolution.day.milliseconds
            let hoursThatDay = shards.flatMap { $0.series[s].hours.slots.keys }.filter {
                $0 * Resolution.hour.milliseconds >= t
            }
            if let hour = hoursThatDay.min(), hour * Resolution.hour.milliseconds < t + Resolution.day.milliseconds {
                t = hour * Resolution.hour.milliseconds
            }
            first[key.version] = min(first[key.version] ?? t, t)
        }
        return first.map { AlertContext.VersionSeen(version: $0.key, firstSeen: Timestamp(milliseconds: $0.value)) }
            .sorted { ($0.firstSeen, $0.version) < ($1.firstSeen, $1.version) }
    }
}
