/// Worst-slice discovery: slice counts kept per model as predictions and labels arrive, and the query that
/// tests them.
extension Engine {
    /// The slices of a model's traffic where `metric` is worst over `[from, to)`, tested against the rest.
    ///
    /// Candidates are each sliced column's categories (the first ``SliceColumns/maxValues``, then `(other)`),
    /// its missing values and its numeric bins (from the model's slice plan, see ``setSliceEdges(model:_:)``),
    /// and every conjunction of two of them. The cost depends on the buckets and slices, not on the number of
    /// predictions.
    /// - Parameters:
    ///   - baseline: a second window; each finding then carries the slice's metric there too.
    ///   - minSize: slices with fewer events in the metric's denominator are not tested.
    ///   - fdr: the Benjamini–Hochberg false discovery rate.
    ///   - limit: at most this many findings are returned (all are tested).
    public func slices(
        model name: String, metric: SliceMetric, from: Timestamp, to: Timestamp,
        baseline: (from: Timestamp, to: Timestamp)? = nil, minSize: Int64 = 30, fdr: Double = 0.05, limit: Int = 20
    ) throws(QueryError) -> SliceReport {
        let m = try modelId(known: name)
        try requireSliceMetric(metric, model: m)
        guard from <= to else { throw QueryError(.invalidWindow, "window starts after it ends") }
        let (plan, counts) = sliceCounts(m, from: from, to: to)
        var base: (WindowPlan, [SliceKey: SliceCounts])?
        if let baseline {
            guard baseline.from <= baseline.to else {
                throw QueryError(.invalidWindow, "baseline window starts after it ends")
            }
            base = sliceCounts(m, from: baseline.from, to: baseline.to)
        }
        let columns = models[m].slices
        let finder = SliceFinder(metric: metric, minSize: max(1, minSize), fdr: fdr)
        let findings = finder.findings(counts, baseline: base?.1) { key in
            key.terms.map { columns.condition(column: $0.column, code: $0.code) }
        }
        let (good, n) = metric.outcomes(counts[.total] ?? SliceCounts())
        return SliceReport(
            model: name, metric: metric, from: Timestamp(milliseconds: plan.from), to: Timestamp(milliseconds: plan.to),
            baselineFrom: base.map { Timestamp(milliseconds: $0.0.from) },
            baselineTo: base.map { Timestamp(milliseconds: $0.0.to) }, overall: .proportion(good, of: n),
            badEvents: n - good, tested: findings.count, discoveries: findings.count { $0.discovered }, fdr: fdr,
            minSize: max(1, minSize), slices: Array(findings.prefix(max(0, limit))))
    }

    /// Refuses a metric the model's task has no slices of (regression, or precision of a multiclass model).
    func requireSliceMetric(_ metric: SliceMetric, model m: Int) throws(QueryError) {
        let name = models[m].name
        let task = models[m].task ?? .binary
        let metrics = SliceMetric.allCases.filter { $0.applies(to: task) }
        guard !metrics.isEmpty else {
            throw QueryError(
                .invalidDefinition,
                "slices rank classifiers by accuracy, precision or recall; '\(Self.clipped(name))' is a \(task.rawValue) model"
            )
        }
        guard metric.applies(to: task) else {
            throw QueryError(
                .invalidDefinition,
                "slices of '\(Self.clipped(name))' (\(task.rawValue)) can be ranked by \(metrics.map(\.rawValue).joined(separator: ", ")), not \(metric.rawValue)"
            )
        }
    }

    /// Whether a known model has a slice of that name (`nil` for a model not seen yet).
    public func hasSlice(_ slice: String, model name: String) -> Bool? {
        modelIndex[name].map { models[$0].slices.key(named: slice) != nil }
    }

    /// A slice SLO's sample: the metric in the named slice over `[from, to)` (whole hours, whole days past
    /// the hourly retention), with its predictions and label coverage. Undefined while the model has no
    /// such slice.
    func sliceSample(_ slo: SLODefinition, slice: String, metric: SliceMetric, from: Timestamp, to: Timestamp)
        throws(QueryError) -> SLISample
    {
        let m = try modelId(known: slo.model)
        guard let key = models[m].slices.key(named: slice) else { return SLISample(value: nil, n: 0) }
        let c = sliceCounts(m, from: from, to: to).1[key] ?? SliceCounts()
        let (good, n) = metric.outcomes(c)
        var sample = SLISample.proportion(good, of: n)
        sample.predictions = c.predictions
        sample.labelCoverage = c.predictions > 0 ? Double(c.labeled) / Double(c.predictions) : nil
        return sample
    }

    /// A model's slice counts over a window, merged over buckets and shards.
    func sliceCounts(_ m: Int, from: Timestamp, to: Timestamp) -> (WindowPlan, [SliceKey: SliceCounts]) {
        let plan = windowPlan(
            from: from.milliseconds, to: to.milliseconds, minuteCutoff: .max, hourCutoff: profileHourCutoff)
        var merged: [SliceKey: SliceCounts] = [:]
        for shard in shards where m < shard.slices.count {
            let buckets = shard.slices[m]
            for (resolution, key) in plan.buckets {
                guard let cells = resolution == .day ? buckets.days[key] : buckets.hours[key] else { continue }
                for (slice, c) in cells { merged[slice, default: SliceCounts()].merge(c) }
            }
        }
        return (plan, merged)
    }

    /// Gives a model's numeric columns their slice bins (interior cut points, e.g. a reference's quintiles).
    /// A column keeps the first edges it is given, so its counts keep one meaning; a model not seen yet takes
    /// them with its first prediction.
    public mutating func setSliceEdges(model name: String, _ edges: [String: [Double]]) {
        guard let m = modelIndex[name] else {
            pendingSliceEdges[name, default: [:]].merge(edges) { old, _ in old }
            return
        }
        models[m].slices.setEdges(edges)
    }

    /// Numbers a served prediction's new slice columns and categories; its codes.
    mutating func internSliceCodes(_ p: Prediction, model m: Int) -> UInt64 {
        guard configuration.profiles else { return 0 }
        if let pending = pendingSliceEdges.removeValue(forKey: models[m].name) { models[m].slices.setEdges(pending) }
        if let codes = models[m].slices.codes(p.features) { return codes }
        return models[m].slices.intern(p.features)
    }

    /// A served prediction's slice codes, or `nil` when it would number a slice column or category or take
    /// pending edges (so it is applied alone, after ``internSliceCodes(_:model:)``).
    func knownSliceCodes(_ p: Prediction, model m: Int) -> UInt64? {
        guard configuration.profiles else { return 0 }
        guard pendingSliceEdges.isEmpty || pendingSliceEdges[p.model] == nil else { return nil }
        return models[m].slices.codes(p.features)
    }
}

extension EngineShard {
    /// Counts a served prediction in its slices, and remembers its codes for its labels.
    mutating func countSlices(_ ref: JoinIndex.Ref, codes: UInt64, model m: Int, time: Int64, _ engine: Engine) {
        join.setSliceCodes(ref, codes | SliceColumns.countedFlag)
        if slices.count <= m { slices.append(contentsOf: repeatElement(SliceBuckets(), count: m + 1 - slices.count)) }
        slices[m].update(codes, time: time, hourCutoff: engine.profileHourCutoff) { $0.predictions += 1 }
    }

    /// Counts a label of a stored prediction in its slices (`sign` −1 takes back a corrected one).
    mutating func countSliceLabel(
        _ ref: JoinIndex.Ref, _ entry: EntryRecord, label: Double, model m: Int, _ sign: Int64, _ engine: Engine
    ) {
        guard engine.configuration.profiles, m < slices.count else { return }
        // Shadows and predictions stored before slices were counted have no flag: their labels are not counted.
        let stored = join.sliceCodes(ref)
        guard stored & SliceColumns.countedFlag != 0 else { return }
        let prediction = entry.prediction(engine.models[m].task ?? .binary)
        slices[m].update(stored & ~SliceColumns.countedFlag, time: entry.time, hourCutoff: engine.profileHourCutoff) {
            $0.addLabel(prediction: prediction, label: label, sign)
        }
    }
}
